package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.beyondsoftmax.bottleneck.BottleneckSettings;
import org.beyondsoftmax.models.heads.Heads;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code beyond demo}: a quick bottleneck comparison of the main heads at a few small D, sized for
 * a few minutes on two CPU cores; prints the table and writes the figures and JSON.
 */
@Command(
    name = "demo",
    description = {
        "A quick softmax-bottleneck comparison (see 'beyond bottleneck --help'): "
            + "softmax, sigsoftmax, mixture of softmaxes, LMS-PLIF, sparsemax and 1.5-entmax, "
            + "N=" + DemoCommand.CONTEXTS + " contexts, M=" + DemoCommand.CLASSES
            + " classes, D in " + DemoCommand.DIMS_TEXT + ", " + DemoCommand.STEPS
            + " Adam steps per run. About 3 minutes on 2 CPU cores; no data to download.",
        "Prints the table and writes bottleneck.png (mode match and KL against D), "
            + ReportFiles.FUNCTIONS_PNG + ", " + ReportFiles.SPECTRA_PNG + " and bottleneck.json."},
    exitCodeList = {"0:done", "1:a figure could not be drawn", "2:invalid options"})
public final class DemoCommand extends BeyondCommand {
  static final int CONTEXTS = 500;
  static final int CLASSES = 200;
  static final List<Integer> DIMS = List.of(2, 5, 10, 20);
  static final String DIMS_TEXT = "{2, 5, 10, 20}";
  static final int STEPS = 500;
  static final String HEADS = Heads.DEFAULT_LIST;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "beyond-output/demo",
      description = "where to write the figures and JSON (default: ${DEFAULT-VALUE})")
  Path out;

  @Mixin
  BottleneckSeed seed;

  @Override
  int run(PrintWriter stdout, PrintWriter err) throws IOException {
    return BottleneckCommand.run(settings(seed.seed), out.resolve("bottleneck.json"),
        out.resolve("bottleneck.png"), out, stdout, err);
  }

  /** The demo's experiment. */
  BottleneckSettings settings(long seed) {
    return new BottleneckSettings(CONTEXTS, List.of(CLASSES), DIMS,
        BottleneckSettings.DEFAULT_ALPHA, Heads.parseList(HEADS), STEPS, seed,
        BottleneckSettings.DEFAULT_LEARNING_RATE, BottleneckSettings.DEFAULT_CONTEXT_INIT_STD, 256,
        BottleneckSettings.DEFAULT_KL_SMOOTHING);
  }
}
