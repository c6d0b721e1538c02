package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.beyondsoftmax.bottleneck.BottleneckExperiment;
import org.beyondsoftmax.bottleneck.BottleneckReport;
import org.beyondsoftmax.bottleneck.BottleneckSettings;
import org.beyondsoftmax.bottleneck.BottleneckTable;
import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.spec.Spec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code beyond bottleneck}: the synthetic softmax-bottleneck experiment of Ganea et al. 2019
 * (section 5.1) for any heads, D and M; prints a table, optionally writes JSON and figures.
 */
@Command(
    name = "bottleneck",
    description = {
        "The synthetic softmax-bottleneck experiment (Ganea et al. 2019, section 5.1): N contexts, "
            + "each with a target distribution P*(.|c) ~ Dirichlet(alpha) over M classes; class "
            + "embeddings shared by all contexts and a free D-dimensional embedding per context "
            + "(starting near the origin, --context-init); "
            + "each head is trained (full-batch Adam) to minimise the cross-entropy to P* (sparse "
            + "heads: their Fenchel-Young loss with soft targets).",
        "Reports per head, D and M: mean KL(P*||Q) (smoothed for sparse heads, marked *), the "
            + "percentage of contexts whose mode argmax Q matches argmax P*, the numerical rank "
            + "of the log-probability matrix, parameters and training time. A seed reproduces "
            + "every number but the timings.",
        "Heads (--heads, --list-heads): name or name:key=value,...; heads separated by ';' or "
            + "','. After a head's ':', an item with '=' is one more option and an item without "
            + "'=' starts the next head: softmax,plif:knots=1000,range=20,mos"},
    exitCodeList = {"0:done", "1:a figure could not be drawn", "2:invalid options"})
public final class BottleneckCommand extends BeyondCommand {
  static final String DEFAULT_HEADS = Heads.DEFAULT_LIST;

  @Option(names = "--contexts", paramLabel = "N", defaultValue = "1000",
      description = "number of contexts N (default: ${DEFAULT-VALUE})")
  int contexts;

  @Option(names = "--classes", paramLabel = "M", split = ",", defaultValue = "1000",
      description = "comma-separated numbers of classes M (default: ${DEFAULT-VALUE})")
  List<Integer> classes;

  @Option(names = "--dims", paramLabel = "D", split = ",", defaultValue = "5,10,20",
      description = "comma-separated context embedding sizes D (default: ${DEFAULT-VALUE})")
  List<Integer> dims;

  @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.1",
      description = "Dirichlet concentration of the targets (default: ${DEFAULT-VALUE})")
  double alpha;

  private List<Spec<HeadFactory>> heads = Heads.parseList(DEFAULT_HEADS);

  @Option(names = "--heads", paramLabel = "SPECS",
      description = "heads to compare (default: " + DEFAULT_HEADS + "); see --list-heads")
  void setHeads(String value) {
    heads = checked("Invalid value for option '--heads': ", () -> Heads.parseList(value));
  }

  @Mixin
  AdamOptions adam = new AdamOptions(400, 0.05);

  @Option(names = "--context-init", paramLabel = "SIGMA",
      defaultValue = "" + BottleneckSettings.DEFAULT_CONTEXT_INIT_STD,
      description = "the context embeddings start normal(0, SIGMA^2) (default: ${DEFAULT-VALUE})")
  double contextInitStd;

  @Mixin
  BottleneckSeed seed;

  @Option(names = "--rank-rows", paramLabel = "N'", defaultValue = "256",
      description = "rows of log Q whose numerical rank is reported (default: ${DEFAULT-VALUE})")
  int rankRows;

  @Option(names = "--kl-smoothing", paramLabel = "EPS", defaultValue = "1e-4",
      description = "eps of the KL reported for sparse heads, KL(P*||(1-eps)Q + eps/M) "
          + "(default: ${DEFAULT-VALUE})")
  double klSmoothing;

  @Mixin
  JsonReport json;

  @Option(names = "--plot", paramLabel = "FILE.png",
      description = "write mode match and KL against D as a PNG (Ganea et al. figures 2 and 3)")
  Path plot;

  @Option(names = "--diagnostics", paramLabel = "DIR",
      description = "write " + ReportFiles.FUNCTIONS_PNG + " (learned PLIF/MLP functions) and "
          + ReportFiles.SPECTRA_PNG + " (singular values of log Q and class embeddings) to DIR")
  Path diagnostics;

  @Option(names = "--list-heads", description = "list the heads and their options, then exit")
  boolean listHeads;

  @Override
  int run(PrintWriter out, PrintWriter err) throws IOException {
    if (listHeads) {
      out.print(Heads.help());
      out.flush();
      return 0;
    }
    BottleneckSettings settings = checked("Invalid options: ", () -> new BottleneckSettings(contexts, classes, dims,
        alpha, heads, adam.steps, seed.seed, adam.lr, contextInitStd, rankRows, klSmoothing));
    return run(settings, json.json, plot, diagnostics, out, err);
  }

  /** Runs the experiment with a progress display, prints the table, writes the files. */
  static int run(BottleneckSettings settings, Path json, Path plot, Path diagnostics,
      PrintWriter out, PrintWriter err) throws IOException {
    BottleneckReport report;
    try (ProgressReporter progress = ProgressReporter.create("bottleneck",
        (long) settings.runs() * settings.steps(), err)) {
      report = BottleneckExperiment.run(settings, progress);
    }
    out.print(BottleneckTable.format(report));
    out.flush();
    return ReportFiles.write(report, json, plot, diagnostics, err) ? 0 : 1;
  }
}
