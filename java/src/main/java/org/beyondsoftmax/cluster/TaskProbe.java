package org.beyondsoftmax.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

/**
 * Whether a task's server answers: a TCP connection to its {@code host:port} is accepted. (The
 * gRPC server accepts connections once it listens; TensorFlow answers RPCs from then on.)
 */
final class TaskProbe {
  private TaskProbe() {}

  /** True when {@code address} ({@code host:port}) accepts a connection within {@code timeout}. */
  static boolean answers(String address, Duration timeout) {
    int colon = address.lastIndexOf(':');
    String host = address.substring(0, colon).replace("[", "").replace("]", "");
    int port = Integer.parseInt(address.substring(colon + 1));
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** "60 s", or "300 ms" for a duration that is not whole seconds. */
  static String words(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  /** The tasks among {@code tasks} whose servers do not answer within {@code timeout} each. */
  static List<Task> silent(ClusterSpec cluster, List<Task> tasks, Duration timeout) {
    return tasks.stream().filter(t -> !answers(cluster.address(t), timeout)).toList();
  }

  /**
   * Waits until every task of {@code tasks} answers.
   *
   * @throws ClusterFailure naming the first task that did not answer within {@code timeout}
   */
  static void await(ClusterSpec cluster, List<Task> tasks, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Task t : tasks) {
      while (!answers(cluster.address(t), Duration.ofMillis(500))) {
        if (System.nanoTime() > deadline) {
          throw new ClusterFailure(t + " at " + cluster.address(t) + " did not answer within " + words(timeout));
        }
        Thread.sleep(100);
      }
    }
  }
}
