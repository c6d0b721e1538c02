package org.beyondsoftmax.cli;

import picocli.CommandLine.Option;

/**
 * {@code beyond train}'s options for training on TensorFlow's distributed runtime: one worker of a
 * cluster ({@code --cluster SPEC --job worker --task I}) or a whole local cluster
 * ({@code --local-cluster ps=P,workers=W}), and the timeouts of a worker's waits.
 */
final class ClusterOptions {
  @Option(names = "--cluster", paramLabel = "SPEC",
      description = "train as one worker of this cluster, e.g. ps=h1:2222,h2:2222;worker=h3:2222,h4:2222 "
          + "(task i of a job is its i-th address; start the ps tasks with beyond cluster-server)")
  String cluster;

  @Option(names = "--job", description = "with --cluster: worker (parameter servers run beyond cluster-server)")
  String job;

  @Option(names = "--task", paramLabel = "I", description = "with --cluster: this worker's index; worker 0 is the "
      + "chief, which validates, checkpoints and exports")
  Integer task;

  @Option(names = "--local-cluster", paramLabel = "ps=P,workers=W",
      description = "start P parameter servers and W workers on 127.0.0.1, train on them, stop them all at the end "
          + "(a worker that dies is restarted; a lost parameter server stops the run, which --resume continues)")
  String local;

  @Option(names = "--startup-timeout", paramLabel = "S", defaultValue = "120",
      description = "with --cluster: how long a worker waits for the ps tasks and for the chief to initialize them "
          + "(default: ${DEFAULT-VALUE} s)")
  double startupSeconds;

  @Option(names = "--stall-timeout", paramLabel = "S", defaultValue = "600",
      description = "with --cluster: how long a worker waits for another (the chief's validation at each epoch's "
          + "end included), and the longest a single run may take (default: ${DEFAULT-VALUE} s)")
  double stallSeconds;

  @Option(names = "--stop-with", paramLabel = "PID", hidden = true,
      description = "exit when process PID ends (the launcher of a local cluster passes its own)")
  Long stopWith;

  /** Whether training runs on a cluster. */
  boolean active() {
    return cluster != null || local != null;
  }
}
