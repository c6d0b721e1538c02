package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.beyondsoftmax.cluster.ClusterFailure;
import org.beyondsoftmax.cluster.ClusterSpec;
import org.beyondsoftmax.cluster.SyncWorker;
import org.beyondsoftmax.corpus.Corpus;
import org.beyondsoftmax.models.heads.ShardedHead;
import org.beyondsoftmax.models.lm.Backbone;
import org.beyondsoftmax.train.ClusterTrainer;
import org.beyondsoftmax.train.TrainSettings;
import org.beyondsoftmax.train.TrainState;

/**
 * {@code beyond train} on TensorFlow's distributed runtime: as one worker of a cluster
 * ({@code --cluster SPEC --job worker --task I}, {@link ClusterTrainer}) or as the launcher of a
 * local one ({@code --local-cluster ps=P,workers=W}, {@link LocalClusterRun}). Bad input — a
 * malformed spec, a task outside its job, a port in use, a ps that does not answer in time, a head
 * that cannot be sharded, the Transformer backbone — is one line naming the thing, and exit status 1.
 */
final class TrainOnCluster {
  private TrainOnCluster() {}

  /**
   * Trains as the options say.
   *
   * @param dir the model directory (--out or --resume)
   * @param arguments the command line as given, which the local cluster's workers repeat
   */
  static int run(ClusterOptions o, TrainSettings settings, Path dir, boolean resume, CorpusOptions corpus,
      PrintWriter err, java.util.List<String> arguments) throws IOException, InterruptedException {
    try {
      if (o.cluster != null && o.local != null) {
        throw new IllegalArgumentException("give one of --cluster SPEC and --local-cluster ps=P,workers=W, not both");
      }
      if (!(o.startupSeconds > 0) || !(o.stallSeconds > 0)) {
        throw new IllegalArgumentException("--startup-timeout and --stall-timeout must be > 0 seconds, got "
            + o.startupSeconds + ", " + o.stallSeconds);
      }
      if (!settings.backbone().equals(Backbone.Lstm.NAME)) {
        throw new IllegalArgumentException("--backbone " + settings.backbone() + " cannot train with --cluster or "
            + "--local-cluster: the cluster trains the LSTM backbone only (--backbone lstm)");
      }
      ShardedHead.check(settings.head());
      if (o.local != null) {
        return LocalClusterRun.run(o.local, dir, resume, arguments, err);
      }
      ClusterSpec cluster = ClusterSpec.parse(o.cluster);
      if (!ClusterSpec.WORKER.equals(o.job) || o.task == null) {
        throw new IllegalArgumentException("--cluster needs --job worker and --task I (parameter servers run beyond "
            + "cluster-server --job ps), got --job " + o.job + (o.task == null ? " and no --task" : ""));
      }
      cluster.task(ClusterSpec.WORKER, o.task);
      stopWith(o.stopWith);
      // the run's corpus (a resumed run's comes from its settings, not from this command line)
      Corpus c = corpus.cache.load(settings.corpus(), settings.minCount(), err);
      Duration stall = Duration.ofMillis((long) (o.stallSeconds * 1000));
      SyncWorker.Options options = new SyncWorker.Options(Duration.ofMillis(500), stall,
          Duration.ofMillis((long) (o.startupSeconds * 1000)), stall);
      try (TrainCommand.Progress progress = new TrainCommand.Progress(err)) {
        TrainState done = new ClusterTrainer(dir, c, progress, cluster, o.task, options).run(settings, resume);
        if (done != null) {
          progress.message("finished: " + done.finished());
        }
      }
      return 0;
    } catch (IllegalArgumentException | IllegalStateException | ClusterFailure e) {
      err.println("beyond train: " + Failures.describe(e));
      if ("1".equals(System.getenv("BEYOND_DEBUG"))) {
        e.printStackTrace(err);
      }
      err.flush();
      return 1;
    }
  }

  /** Exits at once when the process {@code pid} (a launcher) ends. */
  private static void stopWith(Long pid) {
    if (pid == null) {
      return;
    }
    Optional<ProcessHandle> parent = ProcessHandle.of(pid);
    if (parent.isEmpty()) {
      throw new IllegalArgumentException("--stop-with: no process " + pid);
    }
    parent.get().onExit().thenRun(() -> Runtime.getRuntime().halt(1));
  }
}
