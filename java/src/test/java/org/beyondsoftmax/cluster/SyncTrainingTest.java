package org.beyondsoftmax.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TInt64;

/**
 * Synchronous SGD on a local cluster of 2 ps and 2 worker processes (loopback only), on
 * {@link ShardedRegression}: 20 steps equal one process that averages the same batches'
 * gradients; the result does not depend on which worker writes first; workers and the chief killed
 * at the dangerous points and restarted lose and double nothing; a lost ps stops every worker with
 * a message naming it. The ps test comes last: it restarts a ps, which loses its variables.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SyncTrainingTest {
  private static final int PS = 2;
  private static final int WORKERS = 2;
  private static final int STEPS = 20;
  private static final ClusterTraining.Listeners QUIET = (w, s, sync) -> new SyncWorker.Listener() { };

  @TempDir
  static Path logs;
  private static LocalCluster cluster;
  private static List<float[]> plain;

  @BeforeAll
  static void startCluster() throws InterruptedException {
    cluster = LocalCluster.start(PS, WORKERS, LocalCluster.Options.defaults(logs));
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The plain run's variables (trained once, by the first test that needs them). */
  private static synchronized List<float[]> plain() throws InterruptedException {
    if (plain == null) {
      ClusterTraining.Outcome o = ClusterTraining.train(cluster, "plain", STEPS, ClusterTraining.OPTIONS, QUIET, false);
      assertNoFailures(o);
      plain = ClusterTraining.variables(cluster.spec(), "plain");
    }
    return plain;
  }

  @Test
  @Order(1)
  void twentyStepsEqualOneProcessThatAveragesTheSameBatches() throws InterruptedException {
    List<float[]> expected = ClusterTraining.reference(PS, WORKERS, STEPS);
    List<float[]> initial = ClusterTraining.reference(PS, WORKERS, 0);
    List<float[]> actual = plain();
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i), actual.get(i), 1e-5f, "variable " + i);
      float moved = 0;
      for (int j = 0; j < initial.get(i).length; j++) {
        moved = Math.max(moved, Math.abs(actual.get(i)[j] - initial.get(i)[j]));
      }
      assertTrue(moved > 1e-2, "variable " + i + " moved only " + moved + ": the test would not see a lost step");
    }
    // one step more or less is far outside the tolerance
    List<float[]> oneLess = ClusterTraining.reference(PS, WORKERS, STEPS - 1);
    assertTrue(maxDifference(oneLess, actual) > 1e-3, "19 steps are too close to 20 to tell them apart");
  }

  /**
   * What a worker's step sends between tasks, read from the partition graphs TensorFlow ran: each
   * cross-task transfer's source op, in the worker's graph. None has a dimension of the size of a
   * shard: the logits, their softmax and the class weights' gradients stay on their ps task; what
   * crosses is per-example ([N], [N, d]) or a scalar.
   */
  @Test
  @Order(2)
  void noShardSizedTensorCrossesTheNetwork() throws InterruptedException {
    plain();
    int shard = ShardedRegression.CLASSES / PS;
    Set<String> crossing = new LinkedHashSet<>();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withSubScope("plain");
      ShardedRegression model = new ShardedRegression(tf, PS, Task.worker(0));
      SyncReplicas sync = SyncReplicas.build(tf, cluster.spec(), 0, model.pairs(),
          UpdateRule.sgd(ClusterTraining.LEARNING_RATE));
      try (Session s = RemoteSession.open(g, cluster.spec().target(Task.worker(0)),
          SyncWorker.sessionConfig(0, ClusterTraining.OPTIONS)); TInt64 step = TInt64.scalarOf(STEPS)) {
        var batch = model.batch(0, STEPS);
        Session.Runner r = s.runner().setOptions(RunOptions.newBuilder().setOutputPartitionGraphs(true).build());
        batch.forEach(r::feed);
        try (Result result = r.feed(sync.step, step).addTarget(sync.write).runAndFetchMetadata()) {
          for (GraphDef partition : result.getMetadata().orElseThrow().getPartitionGraphsList()) {
            for (NodeDef n : partition.getNodeList()) {
              if (!n.getOp().equals("_Recv")) {
                continue;
              }
              Task from = Task.ofDevice(n.getAttrOrThrow("send_device").getS().toStringUtf8());
              Task to = Task.ofDevice(n.getAttrOrThrow("recv_device").getS().toStringUtf8());
              if (from == null || from.equals(to)) {
                continue;
              }
              // edge_ID_SOURCE, or _recv_NAME_INDEX for a fed tensor
              String source = n.getAttrOrThrow("tensor_name").getS().toStringUtf8().replaceFirst("^edge_\\d+_", "")
                  .replaceFirst("^_recv_(.*)_\\d+$", "$1");
              GraphOperation op = g.operation(source);
              assertTrue(op != null, "a transfer from " + source + ", which is not in the worker's graph");
              for (int i = 0; i < op.numOutputs(); i++) {
                Shape shape = op.output(i).shape();
                crossing.add(from + " -> " + to + ": " + source + " " + shape);
                for (int d = 0; d < shape.numDimensions(); d++) {
                  assertTrue(shape.get(d) != shard, source + " " + shape + " crosses from " + from + " to " + to);
                }
              }
            }
          }
        } finally {
          batch.values().forEach(Tensor::close);
        }
      }
    }
    System.out.println("cross-task transfers of a step of worker 0:\n  " + String.join("\n  ", crossing));
    assertTrue(crossing.stream().anyMatch(c -> c.contains("/job:worker/task:0 -> /job:ps/task:1")), crossing.toString());
  }

  @Test
  @Order(3)
  void theResultDoesNotDependOnWhichWorkerWritesFirst() throws InterruptedException {
    for (int late = 0; late < WORKERS; late++) {
      int slow = late;
      String scope = "late_" + late;
      assertNoFailures(ClusterTraining.train(cluster, scope, STEPS, ClusterTraining.OPTIONS, (w, s, sync) -> new SyncWorker.Listener() {
        @Override
        public void started(long step) {
          if (w == slow) {
            sleep(40);
          }
        }
      }, false));
      List<float[]> actual = ClusterTraining.variables(cluster.spec(), scope);
      for (int i = 0; i < actual.size(); i++) {
        assertArrayEquals(plain().get(i), actual.get(i), 0f, "variable " + i + " with worker " + slow + " late");
      }
    }
  }

  /**
   * Kills, each once, a worker's process (its server; its loop stops with it): worker 1 after its
   * gradients of step 4 are in and before the chief applies them (a restart writes them again:
   * doubled if counted twice); worker 1 before it writes step 9 (lost if the chief went on without
   * it); the chief after assigning step 7's new values on ps task 1 but before marking it applied
   * there (a restart that computed them again from the new values would double it); the chief after
   * writing step 13; the chief after applying step 16 on ps task 0 only (a restart that applied it
   * there again would double it). Each is started again with the same
   * arguments; every variable ends bitwise equal to the undisturbed run's.
   */
  @Test
  @Order(4)
  void killedWorkersAndChiefRestartWithoutLostOrDoubledUpdates() throws InterruptedException {
    Set<String> done = ConcurrentHashMap.newKeySet();
    ClusterTraining.Listeners faults = (w, session, sync) -> new SyncWorker.Listener() {
      @Override
      public void started(long step) {
        if (w == 1 && step == 9 && done.add("worker 1 before writing 9")) {
          crash(Task.worker(1));
        }
      }

      @Override
      public void written(long step) {
        if (w == 1 && step == 4 && done.add("worker 1 after writing 4")) {
          crash(Task.worker(1));
        }
        if (w == 0 && step == 13 && done.add("chief after writing 13")) {
          crash(Task.worker(0));
        }
      }

      @Override
      public void gathered(long step) {
        if (w == 0 && step == 7 && done.add("chief killed in ps 1's apply of 7")) {
          commitOnPs1Only(session, sync, step);
          crash(Task.worker(0));
        }
        if (w == 0 && step == 16 && done.add("chief applying 16 on ps 0 only")) {
          applyOnPs0Only(session, sync, step);
          crash(Task.worker(0));
        }
      }
    };
    ClusterTraining.Outcome o = ClusterTraining.train(cluster, "faults", STEPS, ClusterTraining.OPTIONS, faults, true);
    assertNoFailures(o);
    assertEquals(5, done.size(), "faults injected: " + done);
    assertEquals(5, o.restarts());
    List<float[]> actual = ClusterTraining.variables(cluster.spec(), "faults");
    for (int i = 0; i < actual.size(); i++) {
      assertArrayEquals(plain().get(i), actual.get(i), 0f, "variable " + i);
    }
  }

  /**
   * A worker whose server dies under it (in another process) and is not restarted: the worker says
   * it lost its server, the chief that waited for it names it.
   */
  @Test
  @Order(5)
  void aWorkerThatLostItsServerAndTheChiefWaitingForItSaySo() throws InterruptedException {
    SyncWorker.Options quick = new SyncWorker.Options(
        Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(5));
    ClusterTraining.Outcome o = ClusterTraining.train(cluster, "wlost", STEPS, quick, (w, s, sync) -> new SyncWorker.Listener() {
      @Override
      public void written(long step) {
        if (w == 1 && step == 2) {
          kill(Task.worker(1));
        }
      }
    }, false);
    String worker1 = Task.worker(1) + " at " + cluster.spec().address(Task.worker(1));
    assertTrue(o.failures().get(1).getMessage().contains("lost this worker's server " + worker1 + " (no answer)"),
        o.failures().get(1).getMessage());
    assertTrue(o.failures().get(0).getMessage().contains("step 3: no gradients from [" + Task.worker(1) + "] within 5 s"),
        o.failures().get(0).getMessage());
    cluster.restart(Task.worker(1));
  }

  @Test
  @Order(6)
  void aLostPsStopsEveryWorkerWithAMessageNamingIt() throws InterruptedException {
    String ps1 = Task.ps(1) + " at " + cluster.spec().address(Task.ps(1));
    ClusterTraining.Outcome o = ClusterTraining.train(cluster, "pslost", STEPS, ClusterTraining.OPTIONS, (w, s, sync) -> new SyncWorker.Listener() {
      @Override
      public void started(long step) {
        if (w == 0 && step == 3) {
          kill(Task.ps(1));
        }
      }
    }, true);
    assertEquals(0, o.restarts());
    for (Throwable t : o.failures()) {
      assertInstanceOf(ClusterFailure.class, t);
      assertTrue(t.getMessage().contains("lost " + ps1 + " (no answer)"), () -> t.getMessage() + "; cause: " + t.getCause());
      assertTrue(t.getMessage().contains("resume from the last checkpoint"), t.getMessage());
      assertEquals(-1, t.getMessage().indexOf('\n'), "one line: " + t.getMessage());
    }
    // the ps back, empty: the chief is told its variables are gone
    cluster.restart(Task.ps(1));
    ClusterFailure f = assertThrows(ClusterFailure.class,
        () -> ClusterTraining.runWorker(cluster.spec(), "pslost", 0, STEPS, ClusterTraining.OPTIONS, QUIET));
    assertTrue(f.getMessage().contains("the variables on " + Task.ps(1)) && f.getMessage().contains("are uninitialized"),
        () -> f.getMessage() + "; cause: " + f.getCause());
  }

  /**
   * What a chief killed in the middle of ps task 1's apply leaves: its variables assigned, its
   * {@code applied} not yet (a restarted chief that recomputed the update from there would apply
   * the step twice).
   */
  private static void commitOnPs1Only(Session session, SyncReplicas sync, long step) {
    try (TInt64 fed = TInt64.scalarOf(step)) {
      session.runner().feed(sync.step, fed).addTarget(sync.commitOn.get(Task.ps(1))).run().close();
    }
  }

  /** What a chief killed between two ps tasks' applies leaves: step applied on ps task 0 only. */
  private static void applyOnPs0Only(Session session, SyncReplicas sync, long step) {
    try (TInt64 fed = TInt64.scalarOf(step)) {
      session.runner().feed(sync.step, fed).addTarget(sync.applyOn.get(Task.ps(0))).run().close();
    }
  }

  /** A cluster action from a listener, which cannot throw InterruptedException. */
  private interface Action {
    void run() throws InterruptedException;
  }

  private static void uninterrupted(Action a) {
    try {
      a.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void kill(Task task) {
    uninterrupted(() -> cluster.kill(task));
  }

  /** Kills a worker's process: its server, and (by throwing) its loop; starts the server again. */
  private static void crash(Task worker) {
    uninterrupted(() -> cluster.restart(worker));
    throw new ClusterTraining.WorkerKilled(worker + " killed");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void assertNoFailures(ClusterTraining.Outcome o) {
    for (Throwable t : o.failures()) {
      if (t != null) {
        fail("a worker failed: " + t, t);
      }
    }
  }

  private static float maxDifference(List<float[]> a, List<float[]> b) {
    float max = 0;
    for (int i = 0; i < a.size(); i++) {
      for (int j = 0; j < a.get(i).length; j++) {
        max = Math.max(max, Math.abs(a.get(i)[j] - b.get(i)[j]));
      }
    }
    return max;
  }
}
