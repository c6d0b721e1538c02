package org.beyondsoftmax.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.tensorflow.Server;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * The TensorFlow gRPC server of one task of a cluster ({@link Server} with the task's
 * {@link org.tensorflow.proto.ServerDef}): it holds the task's devices, and for a ps task the
 * variables placed there; a worker's server is also the master that the worker's sessions talk to.
 *
 * <p>TensorFlow 2.18 cannot stop such a server ({@code Server.stop} answers "Clean shutdown is not
 * currently implemented"), so it lives until its process ends: one task per process, and the
 * process is what one starts, kills and restarts. TensorFlow listens on the port on every
 * interface of the host, whatever the host in the spec.
 */
public final class TaskServer {
  /** In the line a server process prints once it serves ({@link #readyLine}), which launchers wait for. */
  public static final String READY = " serving on port ";

  private final Task task;
  private final Server server;

  private TaskServer(Task task, Server server) {
    this.task = task;
    this.server = server;
  }

  /**
   * Starts the server of {@code task} (checked against {@code cluster}).
   *
   * @throws IllegalArgumentException when the task is outside the cluster
   * @throws IllegalStateException when the task's port is in use, naming it
   */
  public static TaskServer start(ClusterSpec cluster, Task task) {
    var def = cluster.serverDef(task);
    int port = cluster.port(task);
    // gRPC reports a busy port as "Could not start gRPC server" after a page of JSON on stderr
    checkFree(task, port, cluster.address(task));
    Server server;
    try {
      server = new Server(def);
      server.start();
    } catch (TensorFlowException e) {
      throw new IllegalStateException("could not start the TensorFlow server of " + task + " on port " + port
          + " (" + cluster.address(task) + "): " + e.getMessage(), e);
    }
    return new TaskServer(task, server);
  }

  private static void checkFree(Task task, int port, String address) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true); // as gRPC binds: a port with connections in TIME_WAIT is free
      probe.bind(new InetSocketAddress(port));
    } catch (IOException e) {
      throw new IllegalStateException(
          "port " + port + " of " + task + " (" + address + ") is already in use", e);
    }
  }

  public Task task() {
    return task;
  }

  /** What a process serving {@code task} of {@code cluster} says once it does. */
  public static String readyLine(ClusterSpec cluster, Task task) {
    return task + " of " + cluster + READY + cluster.port(task);
  }

  /** Blocks while the server runs, i.e. until the process ends. */
  public void join() {
    server.join();
  }
}
