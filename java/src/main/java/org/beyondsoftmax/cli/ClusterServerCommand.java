package org.beyondsoftmax.cli;

import java.io.PrintWriter;
import java.util.Optional;
import org.beyondsoftmax.cluster.ClusterSpec;
import org.beyondsoftmax.cluster.Task;
import org.beyondsoftmax.cluster.TaskServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code beyond cluster-server}: the TensorFlow server of one task of a cluster, until killed. */
@Command(
    name = "cluster-server",
    description = {
        "Starts the TensorFlow gRPC server of one task of a cluster of parameter servers (ps) and workers, and "
            + "waits until it is killed (TensorFlow cannot stop such a server otherwise). A ps task holds the "
            + "variables placed on it; a worker's server runs the worker's part of each step and is the master "
            + "its training sessions connect to (grpc://HOST:PORT). Run one per task, each on its host; the "
            + "server listens on its port on every interface."},
    exitCodeList = {"1:bad cluster spec, task outside its job, port in use, or the server could not start",
        "2:invalid options", "143:stopped by SIGTERM"})
public final class ClusterServerCommand extends BeyondCommand {
  @Option(names = "--cluster", paramLabel = "SPEC", required = true,
      description = "the cluster's tasks, e.g. ps=h1:2222,h2:2222;worker=h3:2222 (task i of a job is its i-th address)")
  String cluster;

  @Option(names = "--job", required = true, description = "ps or worker")
  String job;

  @Option(names = "--task", paramLabel = "I", required = true, description = "this task's index in its job")
  int task;

  @Option(names = "--stop-with", paramLabel = "PID",
      description = "exit when process PID ends (a launcher passes its own, so that no server outlives it)")
  Long stopWith;

  @Override
  int run(PrintWriter out, PrintWriter err) {
    TaskServer server;
    try {
      ClusterSpec c = ClusterSpec.parse(cluster);
      if (!ClusterSpec.PS.equals(job) && !ClusterSpec.WORKER.equals(job)) {
        throw new IllegalArgumentException("--job must be ps or worker, got '" + job + "'");
      }
      Task t = c.task(job, task);
      if (stopWith != null) {
        Optional<ProcessHandle> parent = ProcessHandle.of(stopWith);
        if (parent.isEmpty()) {
          throw new IllegalArgumentException("--stop-with: no process " + stopWith);
        }
        parent.get().onExit().thenRun(() -> Runtime.getRuntime().halt(0));
      }
      server = TaskServer.start(c, t);
      err.println("cluster-server: " + TaskServer.readyLine(c, t));
      err.flush();
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("cluster-server: " + e.getMessage());
      err.flush();
      return 1;
    }
    server.join();
    return 0;
  }
}
