package org.beyondsoftmax.savedmodel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.beyondsoftmax.models.calibration.CalibrationFit;
import org.beyondsoftmax.models.calibration.LogitCalibration;
import org.beyondsoftmax.ops.Kernels;
import org.beyondsoftmax.ops.PortableGraphs;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TFloating;

/**
 * Calibrates any SavedModel whose signature outputs logits [N, M]: fits an increasing transform
 * f of the logits ({@link LogitCalibration}: PLIF or temperature) on labelled held-out data and
 * exports a new SavedModel, the original graph (all its signatures and variables) plus f. The
 * calibrated signature keeps its name, inputs and outputs and gains {@code LOGITS_calibrated}
 * (f(z)) and {@code LOGITS_calibrated_probabilities} (softmax(f(z))). Only TensorFlow ops are
 * added (built with {@link Kernels#portable()}), so the result loads wherever the original did.
 *
 * <p>The last {@code holdout} fraction of the data is not used for fitting: the report gives the
 * NLL before and after on both parts, computed by running the exported SavedModel, and checks
 * that its argmax equals the original's on every example.
 */
public final class Calibrator {
  /** What the calibration did. */
  public record Report(String signature, String logits, String transform, int classes, int fitExamples,
      int checkExamples, double fitNllBefore, double fitNllAfter, Double checkNllBefore, Double checkNllAfter,
      boolean argmaxUnchanged, List<String> outputs) {}

  /** The options of a calibration. */
  public record Options(LogitCalibration.Kind kind, int knots, int steps, double learningRate, double holdout,
      int batch) {
    public Options {
      if (!(holdout >= 0 && holdout < 1)) {
        throw new IllegalArgumentException("holdout must be in [0, 1), got " + holdout);
      }
      if (batch < 1 || knots < 1 || steps < 0 || !(learningRate > 0)) {
        throw new IllegalArgumentException("batch and knots must be >= 1, steps >= 0, learning rate > 0");
      }
    }
  }

  private Calibrator() {}

  public static Report calibrate(Path model, String signature, String logits, Path data, Path out, Options o)
      throws IOException {
    float[] z;
    int classes;
    int[] labels;
    LogitCalibration.Fitted fitted;
    int n;
    int fit;
    List<String> outputs;
    try (SavedModelBundle bundle = SavedModelBundle.load(model.toString(), SavedModelBundle.DEFAULT_TAG)) {
      SessionFunction f = function(bundle, signature);
      Signature sig = f.signature();
      if (!sig.outputNames().contains(logits)) {
        throw new IllegalArgumentException("signature '" + signature + "' has no output '" + logits
            + "'; its outputs: " + sig.outputNames());
      }
      LabelledData examples = LabelledData.read(data, sig);
      labels = examples.labels();
      n = examples.size();
      float[][] result = run(f, examples, logits, o.batch());
      z = result[0];
      classes = (int) result[1][0];
      fit = o.holdout() == 0 || n < 2 ? n : Math.max(1, n - (int) Math.round(n * o.holdout()));
      fitted = CalibrationFit.fit(Arrays.copyOf(z, fit * classes), fit, classes, Arrays.copyOf(labels, fit),
          o.kind(), o.knots(), o.steps(), o.learningRate());
      outputs = export(bundle, sig, logits, fitted, out);
    }
    // check the artifact itself: the exported model's calibrated outputs
    float[] calibrated;
    float[] probabilities;
    try (SavedModelBundle again = SavedModelBundle.load(out.toString(), SavedModelBundle.DEFAULT_TAG)) {
      SessionFunction f = function(again, signature);
      LabelledData examples = LabelledData.read(data, f.signature());
      calibrated = run(f, examples, logits + "_calibrated", o.batch())[0];
      probabilities = run(f, examples, logits + "_calibrated_probabilities", o.batch())[0];
    }
    boolean same = Arrays.equals(LogitCalibration.argmax(z, n, classes), LogitCalibration.argmax(calibrated, n, classes));
    double[] after = nllOfProbabilities(probabilities, classes, labels, fit);
    double fitBefore = LogitCalibration.nll(Arrays.copyOf(z, fit * classes), fit, classes, Arrays.copyOf(labels, fit));
    Double checkBefore = fit == n ? null : LogitCalibration.nll(Arrays.copyOfRange(z, fit * classes, n * classes),
        n - fit, classes, Arrays.copyOfRange(labels, fit, n));
    return new Report(signature, logits, LogitCalibration.describe(fitted), classes, fit, n - fit, fitBefore, after[0],
        checkBefore, fit == n ? null : after[1], same, outputs);
  }

  private static SessionFunction function(SavedModelBundle bundle, String signature) {
    List<String> names = bundle.signatures().stream().map(Signature::key).toList();
    if (!names.contains(signature)) {
      throw new IllegalArgumentException("the SavedModel has no signature '" + signature + "'; it has " + names);
    }
    return bundle.function(signature);
  }

  /** Mean -log p(label) over [0, fit) and [fit, n) from probabilities [n, m]. */
  private static double[] nllOfProbabilities(float[] p, int m, int[] labels, int fit) {
    double a = 0;
    double b = 0;
    for (int i = 0; i < labels.length; i++) {
      double v = -Math.log(p[i * m + labels[i]]);
      if (i < fit) {
        a += v;
      } else {
        b += v;
      }
    }
    return new double[] {a / fit, labels.length == fit ? Double.NaN : b / (labels.length - fit)};
  }

  /** The output {@code name} [N, M] over all examples, row-major, and {M}. */
  private static float[][] run(SessionFunction f, LabelledData data, String name, int batch) {
    List<float[]> parts = new ArrayList<>();
    long classes = -1;
    for (int from = 0; from < data.size(); from += batch) {
      int to = Math.min(data.size(), from + batch);
      Map<String, Tensor> in = data.batch(from, to);
      try (Result r = f.call(in)) {
        Tensor t = r.get(name).orElseThrow();
        if (t.shape().numDimensions() != 2 || t.shape().get(0) != to - from) {
          throw new IllegalArgumentException("output '" + name + "' must be logits [N, M], got shape " + t.shape());
        }
        classes = t.shape().get(1);
        parts.add(floats(t));
      } finally {
        in.values().forEach(Tensor::close);
      }
    }
    float[] all = new float[(int) (data.size() * classes)];
    int k = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, all, k, p.length);
      k += p.length;
    }
    return new float[][] {all, {classes}};
  }

  private static float[] floats(Tensor t) {
    float[] a = new float[(int) t.shape().size()];
    if (t instanceof TFloat32 f) {
      f.copyTo(DataBuffers.of(a, false, false));
    } else if (t instanceof TFloat64 d) {
      double[] x = new double[a.length];
      d.copyTo(DataBuffers.of(x, false, false));
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) x[i];
      }
    } else {
      throw new IllegalArgumentException("logits must be float32 or float64, got " + t.dataType());
    }
    return a;
  }

  /** Adds f to the loaded graph and exports it with the calibrated signature; returns its outputs. */
  private static List<String> export(SavedModelBundle bundle, Signature sig, String logits,
      LogitCalibration.Fitted fitted, Path out) throws IOException {
    Graph graph = bundle.graph();
    Set<String> foreignBefore = PortableGraphs.foreignOps(graph);
    Signature.Builder b = Signature.builder(sig.key()).methodName(sig.methodName());
    sig.getInputs().forEach((k, d) -> b.input(k, graph.outputOrThrow(d.name)));
    sig.getOutputs().forEach((k, d) -> b.output(k, graph.outputOrThrow(d.name)));
    try (var portable = Kernels.portable()) {
      Ops tf = Ops.create(graph).withSubScope(freeScope(graph, "calibrated_" + sig.key()));
      Operand<? extends TFloating> z = castFloating(graph.outputOrThrow(sig.getOutputs().get(logits).name));
      addOutputs(tf, b, z, logits, fitted);
    }
    Set<String> foreignAfter = PortableGraphs.foreignOps(graph);
    if (!foreignAfter.equals(foreignBefore)) {
      throw new IllegalStateException("calibration added ops that are not TensorFlow's own: " + foreignAfter);
    }
    Signature calibrated = b.build();
    SavedModelBundle.Exporter e = SavedModelBundle.exporter(out.toString()).withSession(bundle.session())
        .withSignature(calibrated);
    for (SessionFunction other : bundle.functions()) {
      if (!other.signature().key().equals(sig.key())) {
        e.withFunction(other);
      }
    }
    e.export();
    return new ArrayList<>(calibrated.outputNames());
  }

  private static <T extends TFloating> void addOutputs(Ops tf, Signature.Builder b, Operand<T> z, String logits,
      LogitCalibration.Fitted fitted) {
    Operand<T> f = tf.withName(logits + "_calibrated").identity(LogitCalibration.apply(tf, z, fitted));
    b.output(logits + "_calibrated", f);
    b.output(logits + "_calibrated_probabilities", tf.withName(logits + "_calibrated_probabilities").nn.softmax(f));
  }

  @SuppressWarnings("unchecked")
  private static Operand<? extends TFloating> castFloating(org.tensorflow.Output<?> o) {
    if (o.type() == TFloat32.class || o.type() == TFloat64.class) {
      return (Operand<? extends TFloating>) o;
    }
    throw new IllegalArgumentException("logits must be float32 or float64, got " + o.dataType());
  }

  /** A name scope no op of {@code graph} uses yet: {@code base}, {@code base_1}, ... */
  private static String freeScope(Graph graph, String base) {
    for (int i = 0;; i++) {
      String name = i == 0 ? base : base + "_" + i;
      boolean used = false;
      for (Iterator<GraphOperation> it = graph.operations(); it.hasNext() && !used;) {
        String op = it.next().name();
        used = op.equals(name) || op.startsWith(name + "/");
      }
      if (!used) {
        return name;
      }
    }
  }
}
