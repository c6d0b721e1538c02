package org.beyondsoftmax.diagnose;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.beyondsoftmax.args.Arguments;
import org.beyondsoftmax.bottleneck.Fetch;
import org.beyondsoftmax.bottleneck.SingularValues;
import org.beyondsoftmax.models.lm.LanguageModel;
import org.beyondsoftmax.models.lm.ModelDirectory;
import org.beyondsoftmax.train.ModelInfo;
import org.beyondsoftmax.train.TrainSettings;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Runs a {@link DiagnosticGraph} of a trained model directory: builds it from the directory's
 * {@code model.json}, restores the exported variables ({@code DIR/variables/variables}, the
 * SavedModel's checkpoint: the same variable names), reads windows of T tokens of a stream in
 * batches and gathers the {@link DiagnosticReport}.
 */
public final class Diagnosis {
  /**
   * What to read.
   *
   * @param windows at most this many windows of T consecutive tokens, from the split's start
   * @param batch windows per Session.run
   * @param contexts rows of the log-probability matrix whose numerical rank is taken: evenly spaced
   *     positions of the first batch (and the next, if it has fewer)
   */
  public record Settings(int windows, int batch, int contexts) {
    public Settings {
      Arguments.atLeast("--windows", windows, 1);
      Arguments.atLeast("--batch", batch, 1);
      Arguments.atLeast("--contexts", contexts, 1);
    }
  }

  private Diagnosis() {}

  /**
   * Diagnoses the model in {@code dir} on {@code stream} (ids of the model's vocabulary).
   *
   * @throws IllegalArgumentException if the stream holds fewer than T tokens
   */
  public static DiagnosticReport run(Path dir, ModelInfo info, int[] stream, Settings settings, String corpus,
      String split) {
    TrainSettings ts = info.settings();
    int steps = info.steps();
    int windows = Math.min(settings.windows(), stream.length / steps);
    if (windows < 1) {
      throw new IllegalArgumentException("the " + split + " split has " + stream.length + " tokens, fewer than one "
          + "window of " + steps + " (the model's T)");
    }
    LanguageModel.Config config = ts.model(info.vocabulary());
    try (Graph graph = new Graph()) {
      DiagnosticGraph g = new DiagnosticGraph(graph, config, steps);
      try (Session session = new Session(graph)) {
        session.restore(new ModelDirectory(dir).dir().resolve(ModelDirectory.VARIABLES).resolve("variables").toString());
        return read(session, g, info, stream, windows, settings, dir, corpus, split);
      }
    }
  }

  private static DiagnosticReport read(Session session, DiagnosticGraph g, ModelInfo info, int[] stream,
      int windows, Diagnosis.Settings settings, Path dir, String corpus, String split) {
    int steps = g.steps();
    LanguageModel.Config config = g.model().config();
    int d = config.hidden();
    int vocabulary = config.vocabulary();
    int heads = config.backbone() instanceof org.beyondsoftmax.models.lm.Backbone.Transformer t ? t.heads() : 0;
    List<AttentionStatistics> layers = new ArrayList<>();
    for (int l = 0; l < g.layers(); l++) {
      layers.add(new AttentionStatistics(heads, steps));
    }
    Anisotropy anisotropy = new Anisotropy(d);
    List<float[]> logRows = new ArrayList<>();
    List<Map<String, float[]>> learned = new ArrayList<>();
    float[] embeddings = null;
    for (int first = 0; first < windows; first += settings.batch()) {
      int b = Math.min(settings.batch(), windows - first);
      int[] ids = new int[b * steps];
      System.arraycopy(stream, first * steps, ids, 0, ids.length);
      boolean wantLogs = logRows.size() < settings.contexts();
      boolean once = first == 0;
      try (TInt32 x = TInt32.tensorOf(Shape.of(b, steps), DataBuffers.of(ids, true, false))) {
        Session.Runner r = session.runner().feed(g.ids, x).fetch(g.hidden);
        g.attention.forEach(r::fetch);
        if (wantLogs) {
          r.fetch(g.logProbabilities);
        }
        List<String> names = new ArrayList<>();
        if (once) {
          for (Map<String, Operand<TFloat32>> m : g.perHead) {
            m.forEach((name, op) -> {
              names.add(name);
              r.fetch(op);
            });
          }
          g.classEmbeddings.ifPresent(r::fetch);
        }
        try (Result out = r.run()) {
          int i = 0;
          anisotropy.add(Fetch.floats(out.get(i++)));
          for (AttentionStatistics s : layers) {
            s.add(Fetch.floats(out.get(i++)), b);
          }
          if (wantLogs) {
            float[] lp = Fetch.floats(out.get(i++));
            int available = lp.length / vocabulary;
            int stride = Math.max(1, available / (settings.contexts() - logRows.size()));
            for (int row = 0; row < available && logRows.size() < settings.contexts(); row += stride) {
              float[] one = new float[vocabulary];
              System.arraycopy(lp, row * vocabulary, one, 0, vocabulary);
              logRows.add(one);
            }
          }
          if (once) {
            for (Map<String, Operand<TFloat32>> m : g.perHead) {
              Map<String, float[]> values = new LinkedHashMap<>();
              for (String name : m.keySet()) {
                values.put(name, Fetch.floats(out.get(i++)));
              }
              learned.add(values);
            }
            if (g.classEmbeddings.isPresent()) {
              embeddings = Fetch.floats(out.get(i++));
            }
          }
        }
      }
    }
    List<DiagnosticReport.AttentionHead> attention = new ArrayList<>();
    for (int l = 0; l < layers.size(); l++) {
      attention.addAll(layers.get(l).heads(l, learned.get(l)));
    }
    DiagnosticReport.ClassEmbeddings classes = null;
    String absent = null;
    if (embeddings != null) {
      double[] sv = SingularValues.of(Fetch.matrix(toDoubles(embeddings), vocabulary, d));
      classes = new DiagnosticReport.ClassEmbeddings(
          ClassEmbeddingMatrix.describe(info.head(), info.head().toString().contains("tied=true")),
          vocabulary, d, sv, SingularValues.effectiveRank(sv));
    } else {
      absent = "head '" + info.head() + "' has no class-embedding matrix";
    }
    double[][] logs = logRows.stream().map(Diagnosis::toDoubles).toArray(double[][]::new);
    double[] lsv = SingularValues.of(logs);
    double largest = 0;
    for (double[] row : logs) {
      for (double v : row) {
        largest = Math.max(largest, Math.abs(v));
      }
    }
    double noise = SingularValues.FLOAT32_EPS * Math.sqrt((double) logs.length * vocabulary) * largest;
    var logProbabilities = new DiagnosticReport.LogProbabilities(logs.length, vocabulary,
        g.model().head().isSparse() ? DiagnosticGraph.SPARSE_SMOOTHING : null, lsv,
        SingularValues.countAbove(lsv, noise), noise,
        SingularValues.rank(lsv, logs.length, vocabulary, SingularValues.FLOAT32_EPS),
        SingularValues.tolerance(lsv, logs.length, vocabulary, SingularValues.FLOAT32_EPS),
        SingularValues.effectiveRank(lsv));
    var output = new DiagnosticReport.OutputLayer(classes, absent, logProbabilities,
        new DiagnosticReport.Anisotropy(anisotropy.count(), d, anisotropy.meanCosine()));
    TrainSettings ts = info.settings();
    return new DiagnosticReport(dir.toString(), corpus, split, ts.backbone(), info.head().toString(),
        ts.attention() == null ? null : ts.attention().toString(), windows, steps, (long) windows * steps,
        attention, output, definitions());
  }

  private static Map<String, String> definitions() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("mean_entropy", "mean over causal query rows of -sum p log p (nats) of the row normalised to sum 1; "
        + "mean_max_entropy is the mean of log n, n = keys the query sees");
    m.put("mean_support", "mean number of keys with weight > 0");
    m.put("top_k_mass", "mean share of a row's mass on its k largest weights");
    m.put("effective_rank", "Roy & Vetterli 2007: exp(-sum p_i log p_i), p_i = sigma_i / sum_j sigma_j");
    m.put("numerical_rank", "singular values > tolerance = eps_float32 sqrt(rows cols) max |L_ij|, a bound of the "
        + "spectral norm of float32 rounding of L; eps_float32 = 2^-23");
    m.put("numpy_rank", "singular values > max(rows, cols) sigma_1 eps_float32 (NumPy matrix_rank default; loose "
        + "here because sigma_1 of log p is dominated by its mean)");
    m.put("log_probabilities", "log p of contexts at evenly spaced positions of the first batch of windows; sparse heads: "
        + "log((1 - eps) p + eps / V)");
    m.put("anisotropy", "mean over pairs i != j of cos(h_i, h_j) of the last hidden states (the head's input), "
        + "Ethayarajh 2019, Godey et al. 2024");
    m.put("windows", "consecutive windows of T tokens from the split's start; the LSTM starts each from a zero state");
    return m;
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
