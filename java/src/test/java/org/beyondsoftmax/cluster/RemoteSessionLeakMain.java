package org.beyondsoftmax.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Opens, runs and closes sessions on a cluster of one ps and one worker served in this process,
 * many times, and prints how much the resident memory of the process (client, master and ps all
 * here) grew: {@code RemoteSessionLeakMain close|leak ITERATIONS}. With {@code leak} the sessions
 * are left open: the negative control of {@link RemoteSessionTest}.
 */
public final class RemoteSessionLeakMain {
  private static final int FLOATS = 256 * 1024; // 1 MB fed and 1 MB fetched per run
  /**
   * The sessions and graphs left open, held here: unreachable ones are freed by the garbage
   * collector that {@link #residentKb()} runs, which made the negative control pass or fail by chance.
   */
  private static final List<AutoCloseable> LEFT_OPEN = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    boolean close = args[0].equals("close");
    int iterations = Integer.parseInt(args[1]);
    ClusterSpec cluster = ClusterSpec.of(List.of("127.0.0.1:" + freePort()), List.of("127.0.0.1:" + freePort()));
    TaskServer.start(cluster, Task.ps(0));
    TaskServer.start(cluster, Task.worker(0));
    String target = cluster.target(Task.worker(0));
    for (int i = 0; i < 30; i++) {
      cycle(target, true);
    }
    long before = residentKb();
    for (int i = 0; i < iterations; i++) {
      cycle(target, close);
    }
    System.out.println("grew " + (residentKb() - before) + " kB");
    System.out.flush();
    Runtime.getRuntime().halt(0); // the servers cannot be stopped
  }

  /**
   * One session: a graph with a variable on the ps and a product on the worker, one run. Left open
   * unless {@code close} (and then its graph too: closing a graph waits for its sessions).
   */
  private static void cycle(String target, boolean close) {
    Graph g = new Graph();
    try {
      Ops tf = Ops.create(g);
      Ops ps = tf.withDevice(Task.ps(0).device());
      Ops worker = tf.withDevice(Task.worker(0).device());
      var v = ps.withName("v").variable(ps.withInitScope().fill(ps.constant(new int[] {FLOATS}), ps.constant(2f)));
      var x = worker.placeholder(TFloat32.class, Placeholder.shape(Shape.of(FLOATS)));
      var y = worker.math.mul(worker.identity(v), x);
      Session s = RemoteSession.open(g, target);
      s.forceInitialize();
      try (TFloat32 in = TFloat32.tensorOf(Shape.of(FLOATS)); Result r = s.runner().feed(x, in).fetch(y).run()) {
        if (r.get(0).shape().size() != FLOATS) {
          throw new AssertionError("wrong shape " + r.get(0).shape());
        }
      }
      if (close) {
        s.close();
      } else {
        LEFT_OPEN.add(s);
      }
    } finally {
      if (close) {
        g.close();
      } else {
        LEFT_OPEN.add(g);
      }
    }
  }

  private static long residentKb() throws IOException {
    System.gc();
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
