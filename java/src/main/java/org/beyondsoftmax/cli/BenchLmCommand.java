package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import org.beyondsoftmax.bench.LanguageModelBench;
import org.beyondsoftmax.bench.StepProfile;
import org.beyondsoftmax.corpus.Corpus;
import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.lm.LanguageModelGraph;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.models.spec.Spec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code beyond bench lm}: the language model's training step per head, against its matmul floor. */
@Command(
    name = "lm",
    description = {
        "Times the training step of the language model (forward, backward, Adam update; the "
            + "README's Brown settings by default) with each head, interleaved round by round with "
            + "the step's matrix products alone (the floor), and reports ms per step, tokens/s, "
            + "the ratio to the first head and the ratio to the floor.",
        "Steps walk through real batches of the corpus's training split with the state carried, "
            + "as 'beyond train' runs them."},
    exitCodeList = {"0:every head ran", "1:some head failed (the others are reported)", "2:invalid options"})
public final class BenchLmCommand extends BeyondCommand {
  @Mixin
  CorpusOptions corpus;

  @Mixin
  JsonReport json;

  @Option(names = "--heads", paramLabel = "SPECS",
      defaultValue = "softmax,sigsoftmax,plif,entmax,sparsemax,mos:components=3",
      description = "heads to time, the first is the baseline (default: ${DEFAULT-VALUE})")
  String heads;

  @Mixin
  ModelShapeOptions shape;

  @Option(names = "--rounds", defaultValue = "10", description = "timed rounds (default: ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--warmup", defaultValue = "5",
      description = "untimed steps of each head before the rounds (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(names = "--batches", defaultValue = "50",
      description = "distinct training batches the steps cycle through (default: ${DEFAULT-VALUE})")
  int batches;

  @Option(names = "--seed", defaultValue = "1", description = "initial values and run order (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--profile", paramLabel = "STEPS", defaultValue = "0",
      description = "after the timing, trace STEPS more steps of each head and print where its step "
          + "spends its time, by op type and node (TensorFlow's step stats; default: ${DEFAULT-VALUE}, none)")
  int profile;

  @Option(names = "--profile-top", paramLabel = "N", defaultValue = "12",
      description = "op types and nodes listed per head with --profile (default: ${DEFAULT-VALUE})")
  int profileTop;

  @Override
  int run(PrintWriter out, PrintWriter err) throws IOException {
    List<Spec<HeadFactory>> specs = checked("--heads: ", () -> Heads.parseList(heads));
    shape.checkPositive(spec);
    OptionRanges.atLeast(spec, "--rounds", rounds, 1);
    OptionRanges.atLeast(spec, "--batches", batches, 1);
    OptionRanges.atLeast(spec, "--warmup", warmup, 0);
    OptionRanges.atLeast(spec, "--profile", profile, 0);
    OptionRanges.atLeast(spec, "--profile-top", profileTop, 1);
    Corpus c = corpus.load(err);
    LanguageModelGraph.Training training =
        new LanguageModelGraph.Training(Optimizer.Settings.of(Optimizer.Kind.ADAM, 1.0), 0.002, 0.3);
    LanguageModelBench.Report report = LanguageModelBench.run(specs, c.train(), c.vocabulary().size(),
        shape.embed, shape.hidden, shape.layers, shape.bptt, shape.batch, training, warmup, rounds, batches,
        seed, new LanguageModelBench.Profiling(profile, profileTop), err);
    out.printf("language-model training step, %s; floor (matrix products only): %.1f ms%n",
        report.settings(), report.floorMsPerStep());
    out.printf("%-36s %10s %12s %10s %10s%n", "head", "ms/step", "tokens/s", "/softmax", "/floor");
    for (LanguageModelBench.Result r : report.results()) {
      out.printf("%-36s %10.1f %,12.0f %10s %10.2f%n", r.head(), r.msPerStep(), r.tokensPerSecond(),
          r.ratioToSoftmax() == null ? "n/a" : String.format("%.2f", r.ratioToSoftmax()), r.ratioToFloor());
    }
    report.failed().forEach((head, why) -> out.printf("%s failed: %s%n", head, why));
    report.profiles().forEach((head, p) -> printProfile(out, head, p));
    out.flush();
    json.write(report, err);
    return report.failed().isEmpty() ? 0 : 1;
  }

  private static void printProfile(PrintWriter out, String head, StepProfile p) {
    out.printf("%nwhere the step of %s spends its time (%d traced steps; op time summed over the nodes, "
        + "%.1f ms per step: threads overlap):%n", head, p.steps(), p.totalMillis());
    out.printf("  %-44s %10s %7s   %s%n", "op type", "ms/step", "share", "nodes");
    p.opTypes().forEach(e -> out.printf("  %-44s %10.1f %6.1f%%   %s%n", e.name(), e.millis(), 100 * e.share(), e.of()));
    out.printf("  %-44s %10s %7s   %s%n", "node", "ms/step", "share", "op type");
    p.nodes().forEach(e -> out.printf("  %-44s %10.1f %6.1f%%   %s%n", e.name(), e.millis(), 100 * e.share(), e.of()));
  }
}
