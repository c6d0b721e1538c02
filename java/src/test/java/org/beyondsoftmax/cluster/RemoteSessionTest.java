package org.beyondsoftmax.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.beyondsoftmax.ops.testing.ChildJvm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFFailedPreconditionException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Sessions on a remote master (a local cluster of one ps and one worker process): feeds, fetches
 * and targets as with a local session, state that lives on the ps across sessions and graphs,
 * initialization left to the caller, a bad target, and no leak over hundreds of sessions.
 */
class RemoteSessionTest {
  @TempDir
  static Path logs;
  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() throws InterruptedException {
    cluster = LocalCluster.start(1, 1, LocalCluster.Options.defaults(logs));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** y = v * x on the worker with v on the ps; v += x as a target; by operand and by name. */
  private static float[][] stepOn(String scope) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withSubScope(scope);
      Ops ps = tf.withDevice(Task.ps(0).device());
      Ops worker = tf.withDevice(Task.worker(0).device());
      Variable<TFloat32> v = ps.withName("v").variable(Shape.of(3), TFloat32.class);
      var init = ps.withName("init").assign(v, ps.constant(new float[] {1, 2, 3}));
      var initialized = ps.isVariableInitialized(v);
      var x = worker.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(3)));
      var y = worker.withName("y").math.mul(worker.identity(v), x);
      var add = ps.assignAdd(v, x);
      try (Session s = RemoteSession.open(g, cluster.spec().target(Task.worker(0)));
          TFloat32 in = TFloat32.tensorOf(Shape.of(3), DataBuffers.of(new float[] {2, 2, 2}))) {
        try (Result r = s.runner().fetch(initialized).run()) {
          if (!((org.tensorflow.types.TBool) r.get(0)).getBoolean()) {
            s.runner().addTarget(init).run().close();
          }
        }
        float[] product;
        try (Result r = s.runner().feed(x, in).fetch(y).run()) {
          product = floats((TFloat32) r.get(0));
        }
        s.runner().feed(x, in).addTarget(add).run().close();
        float[] byName;
        try (Result r = s.runner().feed(scope + "/x", in).fetch(scope + "/y").run()) {
          byName = floats((TFloat32) r.get(0));
        }
        return new float[][] {product, byName};
      }
    }
  }

  @Test
  void runsFeedsFetchesAndTargetsWithStateOnThePs() {
    float[][] first = stepOn("a");
    assertArrayEquals(new float[] {2, 4, 6}, first[0]);
    assertArrayEquals(new float[] {6, 8, 10}, first[1], "after v += x");
    float[][] second = stepOn("a"); // a new graph and session: v is still on the ps
    assertArrayEquals(new float[] {6, 8, 10}, second[0]);
    assertArrayEquals(new float[] {10, 12, 14}, second[1]);
  }

  @Test
  void leavesInitializationToTheCaller() {
    try (Graph g = new Graph()) {
      Ops ps = Ops.create(g).withSubScope("init_left").withDevice(Task.ps(0).device());
      Variable<TFloat32> v = ps.variable(ps.withInitScope().constant(new float[] {4, 5}));
      try (Session s = RemoteSession.open(g, cluster.spec().target(Task.worker(0)))) {
        // TF-Java's own sessions would run the initializer here; a remote one must not
        TFFailedPreconditionException e = assertThrows(TFFailedPreconditionException.class,
            () -> s.runner().fetch(v).run().close());
        assertTrue(e.getMessage().contains("uninitialized"), e.getMessage());
        s.forceInitialize();
        try (Result r = s.runner().fetch(v).run()) {
          assertArrayEquals(new float[] {4, 5}, floats((TFloat32) r.get(0)));
        }
      }
    }
  }

  @Test
  void aTargetThatIsNotGrpcIsRefused() {
    try (Graph g = new Graph()) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RemoteSession.open(g, "localhost:2222"));
      assertEquals("target must be grpc://HOST:PORT, got localhost:2222", e.getMessage());
    }
  }

  /**
   * 300 sessions opened, run with 1 MB fed and fetched, and closed, in a JVM that also serves the
   * ps and the worker: its resident memory grows by less than 100 kB a session (by a few MB in
   * all); the negative control, 40 sessions left open (and held, so that no garbage
   * collection closes them), grows by more than 500 kB each (some 1.2 MB).
   */
  @Test
  void hundredsOfSessionsLeakNothing() throws IOException, InterruptedException {
    long closed = growthKb("close", 300);
    long open = growthKb("leak", 40);
    assertTrue(closed < 300 * 100, "300 closed sessions grew " + closed + " kB");
    assertTrue(open > 40 * 500, "the negative control, 40 open sessions, grew only " + open + " kB");
  }

  private static long growthKb(String mode, int iterations) throws IOException, InterruptedException {
    ProcessBuilder pb = ChildJvm.of(RemoteSessionLeakMain.class.getName(), mode, Integer.toString(iterations));
    // a heap of fixed size, resident from the start: only native memory moves the resident size
    pb.command().addAll(1, List.of("-Xms128m", "-Xmx128m", "-XX:+AlwaysPreTouch"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    List<String> grew = out.lines().filter(l -> l.startsWith("grew ")).toList();
    assertEquals(1, grew.size(), out);
    return Long.parseLong(grew.get(0).replaceAll("[^0-9-]", ""));
  }

  private static float[] floats(TFloat32 t) {
    float[] a = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(a, false, false));
    return a;
  }
}
