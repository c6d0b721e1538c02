package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.beyondsoftmax.diagnose.DiagnosePlots;
import org.beyondsoftmax.diagnose.Diagnosis;
import org.beyondsoftmax.diagnose.DiagnosticReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code beyond diagnose}: where the bottleneck shows in a trained model (attention and output layer). */
@Command(
    name = "diagnose",
    description = {
        "Diagnostics of a model trained by 'beyond train' (LSTM or Transformer, any head), read from its "
            + "exported variables, on windows of T tokens of a corpus split:",
        "per attention layer and head (Transformer): mean attention entropy (and log n, the uniform row's), "
            + "mean support (keys with weight > 0), mean mass, the share of mass on the top k = 1, 2, 4, ... "
            + "keys, and the normaliser's learned alpha or s;",
        "output layer: singular values and effective rank (Roy & Vetterli 2007, exp of the entropy of the "
            + "normalised singular values) of the class-embedding matrix, the numerical rank of log p on "
            + "--contexts contexts (tolerance 2^-23 sqrt(rows cols) max |log p|, the float32 rounding "
            + "bound; NumPy's default beside it), and the anisotropy (mean "
            + "pairwise cosine) of the last hidden states.",
        "--plots DIR writes spectra.png and, for a Transformer, attention.png."})
public final class DiagnoseCommand extends BeyondCommand {
  static final String SPECTRA_PNG = "spectra.png";
  static final String ATTENTION_PNG = "attention.png";

  @Mixin
  ModelOptions options = new ModelOptions("valid");

  @Option(names = "--windows", paramLabel = "N", defaultValue = "64",
      description = "windows of T tokens read from the split's start, >= 1 (default: ${DEFAULT-VALUE})")
  int windows;

  @Option(names = "--batch", paramLabel = "B", defaultValue = "16",
      description = "windows per step, >= 1 (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--contexts", paramLabel = "N", defaultValue = "256",
      description = "contexts (rows) of the log-probability matrix whose rank is taken, >= 1 (default: ${DEFAULT-VALUE})")
  int contexts;

  @Option(names = "--plots", paramLabel = "DIR", description = "write the figures (PNG) to DIR")
  Path plots;

  @Mixin
  JsonReport json;

  @Override
  int run(PrintWriter out, PrintWriter err) throws IOException {
    Diagnosis.Settings settings = checked(() -> new Diagnosis.Settings(windows, batch, contexts));
    ModelSplit data = options.load(spec.commandLine(), err);
    DiagnosticReport r = Diagnosis.run(options.model.dir, data.info(), data.stream(), settings, data.corpus(), options.split);
    for (DiagnosticReport.AttentionHead h : r.attentionHeads()) {
      out.println(String.format("layer %d head %d: entropy %s (log n %.3f), support %.2f of %.2f keys, top-1 mass %s%s",
          h.layer(), h.head(), h.meanEntropy() == null ? "n/a" : String.format("%.3f", h.meanEntropy()),
          h.meanMaxEntropy(), h.meanSupport(), h.meanKeys(), h.topKMass().get("1"),
          h.learned().isEmpty() ? "" : ", " + h.learned()));
    }
    DiagnosticReport.OutputLayer o = r.outputLayer();
    out.println(o.classEmbeddings() == null ? o.absent() : String.format(
        "class embeddings [%d x %d]: effective rank %.2f, sigma_1 %.3g", o.classEmbeddings().rows(),
        o.classEmbeddings().cols(), o.classEmbeddings().effectiveRank(), o.classEmbeddings().singularValues()[0]));
    DiagnosticReport.LogProbabilities lp = o.logProbabilities();
    out.println(String.format("log p [%d x %d]: numerical rank %d (tol %.3g; NumPy's default tol %.3g: %d), "
        + "effective rank %.2f; anisotropy %.4f", lp.contexts(), lp.classes(), lp.numericalRank(), lp.tolerance(),
        lp.numpyTolerance(), lp.numpyRank(), lp.effectiveRank(), o.anisotropy().meanCosine()));
    out.flush();
    json.write(r, err);
    boolean ok = true;
    if (plots != null) {
      Files.createDirectories(plots);
      ok &= ReportFiles.figure(r, DiagnosePlots::spectra, plots.resolve(SPECTRA_PNG), "singular-value spectra", err);
      ok &= ReportFiles.figure(r, DiagnosePlots::attention, plots.resolve(ATTENTION_PNG), "attention per head", err);
    }
    return ok ? 0 : 1;
  }
}
