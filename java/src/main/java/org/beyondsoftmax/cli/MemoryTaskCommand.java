package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.beyondsoftmax.memorytask.MemoryTask;
import org.beyondsoftmax.memorytask.MemoryTaskExperiment;
import org.beyondsoftmax.models.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code beyond memory-task}: the synthetic copy task without a cache, with it, with TRIME and HistAlign. */
@Command(
    name = "memory-task",
    description = {
        "A synthetic task where memory is necessary: episodes of random (key, value) pairs, then the "
            + "same keys again, each to be followed by its value, which only an earlier occurrence in "
            + "the episode tells (a cache of --cache memories also holds the keys' values of earlier "
            + "episodes, which are wrong). Trains an LSTM language model without a cache, with TRIME "
            + "and with HistAlign; reports, on the test stream, the accuracy at the recalled values "
            + "for no cache, the untrained cache, TRIME and HistAlign (each cache's lambda and theta "
            + "tuned on validation), the perplexity, and the mean rank of the right memory among those "
            + "the query may use (the alignment of current and cached states).",
        "About 2 minutes on 2 cores with the defaults."})
public final class MemoryTaskCommand extends BeyondCommand {
  @Option(names = "--keys", defaultValue = "12", description = "distinct keys (default: ${DEFAULT-VALUE})")
  int keys;

  @Option(names = "--values", defaultValue = "12", description = "distinct values (default: ${DEFAULT-VALUE})")
  int values;

  @Option(names = "--fillers", defaultValue = "6", description = "distinct filler words (default: ${DEFAULT-VALUE})")
  int fillers;

  @Option(names = "--pairs", defaultValue = "4", description = "(key, value) pairs per episode (default: ${DEFAULT-VALUE})")
  int pairs;

  @Option(names = "--max-gap", defaultValue = "2",
      description = "at most this many fillers after each pair (default: ${DEFAULT-VALUE})")
  int maxGap;

  @Option(names = "--episodes", paramLabel = "TRAIN,VALID,TEST", split = ",", defaultValue = "800,80,160",
      description = "episodes per split (default: ${DEFAULT-VALUE})")
  int[] episodes;

  @Option(names = "--hidden", defaultValue = "32", description = "LSTM units and embedding size (default: ${DEFAULT-VALUE})")
  int hidden;

  @Option(names = "--bptt", defaultValue = "25", description = "truncated-BPTT length (default: ${DEFAULT-VALUE})")
  int bptt;

  @Option(names = "--batch", defaultValue = "16", description = "training batch size (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--epochs", defaultValue = "8", description = "training epochs (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--lr", defaultValue = "0.01", description = "Adam's learning rate (default: ${DEFAULT-VALUE})")
  double lr;

  @Option(names = "--cache", paramLabel = "L", defaultValue = "50",
      description = "memories of every cache, about two episodes (default: ${DEFAULT-VALUE})")
  int cache;

  @Option(names = "--seed", defaultValue = "1", description = "data and initial values (default: ${DEFAULT-VALUE})")
  long seed;

  @Mixin
  JsonReport json;

  @Override
  int run(PrintWriter out, PrintWriter err) throws IOException {
    if (episodes.length != 3) {
      throw invalid("--episodes must be TRAIN,VALID,TEST, got " + episodes.length
          + " numbers");
    }
    CacheOptions.checkSize(spec, cache);
    MemoryTaskExperiment.Settings settings = checked(() -> new MemoryTaskExperiment.Settings(new MemoryTask.Settings(
        keys, values, fillers, pairs, maxGap, episodes[0], episodes[1], episodes[2], seed), hidden, hidden, bptt, batch,
        epochs, lr, cache, seed));
    Path work = Files.createTempDirectory("beyond-memory-task-");
    MemoryTaskExperiment.Report report;
    try {
      report = MemoryTaskExperiment.run(settings, work, line -> {
        err.println(line);
        err.flush();
      });
    } finally {
      AtomicFiles.deleteTree(work);
    }
    out.println(String.format("%-10s %9s %10s %11s %7s %7s %7s", "mode", "accuracy", "mean rank", "perplexity",
        "lambda", "theta", "train s"));
    for (MemoryTaskExperiment.Result r : report.results()) {
      out.println(String.format("%-10s %9.3f %10.2f %11.3f %7s %7.2f %7.1f", r.mode(), r.accuracy(), r.meanRank(),
          r.perplexity(), r.lambda() == null ? "joint" : String.format("%.2f", r.lambda()), r.theta(),
          r.trainSeconds()));
    }
    out.println(String.format("accuracy: at the %d recalled values of the test stream; chance is 1/%d", report.results()
        .get(0).copies(), values));
    out.flush();
    json.write(report, err);
    return 0;
  }
}
