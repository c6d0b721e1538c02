package org.beyondsoftmax.models;

import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;

/**
 * Post-hoc calibration of a classifier's logits z [N, M] with an increasing function f applied
 * elementwise, p = softmax(f(z)), fitted to minimise the NLL of held-out labels:
 *
 * <ul>
 *   <li>temperature scaling (Guo et al. 2017): f(z) = z / t, t = exp(u) &gt; 0;
 *   <li>PLIF (Ganea et al. 2019; {@link Mappings#plif}): K linear pieces on [-R, R] with slopes
 *       softplus(v) &gt; 0, linear beyond; R covers the data's logits, the slopes start at 1
 *       (f(z) = z + R: the model's own probabilities).
 * </ul>
 *
 * Both are strictly increasing, so argmax_j f(z_j) = argmax_j z_j: predictions are unchanged,
 * only the confidence moves. The fit is full-batch {@link Adam} (deterministic). The fitted
 * function is then added to any graph as constants ({@link #apply}).
 */
public final class LogitCalibration {
  /** The calibration family. */
  public enum Kind { PLIF, TEMPERATURE }

  /**
   * A fitted transform.
   *
   * @param range R (PLIF)
   * @param slopesRaw v [K] (PLIF; slopes softplus(v))
   * @param temperature t (temperature scaling)
   * @param nllBefore mean NLL of the fit data with the raw logits
   * @param nllAfter mean NLL of the fit data after calibration
   */
  public record Fitted(Kind kind, double range, float[] slopesRaw, double temperature, double nllBefore,
      double nllAfter) {}

  private LogitCalibration() {}

  /**
   * Fits the transform to logits [n, m] (row-major) and labels [n].
   *
   * @param knots K (PLIF)
   * @param steps full-batch Adam steps
   * @param learningRate Adam's rate
   */
  public static Fitted fit(float[] logits, int n, int m, int[] labels, Kind kind, int knots, int steps,
      double learningRate) {
    if (n < 1 || m < 2 || logits.length != (long) n * m || labels.length != n) {
      throw new IllegalArgumentException("logits must be [n, m] with n >= 1, m >= 2 and labels [n]; got "
          + logits.length + " logits, n = " + n + ", m = " + m + ", " + labels.length + " labels");
    }
    double max = 0;
    for (float z : logits) {
      if (!Float.isFinite(z)) {
        throw new IllegalArgumentException("the logits must be finite (a sparse model's -inf cannot be "
            + "calibrated this way), got " + z);
      }
      max = Math.max(max, Math.abs(z));
    }
    for (int y : labels) {
      if (y < 0 || y >= m) {
        throw new IllegalArgumentException("labels must be in [0, " + m + "), got " + y);
      }
    }
    if (knots < 1 || steps < 0) {
      throw new IllegalArgumentException("knots must be >= 1 and steps >= 0, got " + knots + ", " + steps);
    }
    double range = Math.max(1.0, Math.ceil(max * 1.05));
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> z = tf.constant(Shape.of(n, m), DataBuffers.of(logits, true, false));
      Operand<org.tensorflow.types.TInt32> y = tf.constant(labels);
      Parameters<TFloat32> p = new Parameters<>(new HeadConfig<>(tf, TFloat32.class, 1, 2, 0), "calibration");
      Operand<TFloat32> raw = kind == Kind.PLIF
          ? p.constant("slopes_raw", Shape.of(knots), Math.log(Math.expm1(1.0)))
          : p.constant("log_temperature", Shape.scalar(), 0.0);
      Operand<TFloat32> nll = tf.math.mean(Losses.crossEntropy(tf, z, y), tf.constant(0));
      Operand<TFloat32> after = tf.math.mean(Losses.crossEntropy(tf, transform(tf, z, kind, raw, range), y),
          tf.constant(0));
      Op step = Adam.minimize(tf, after, p.all(), Adam.Settings.of(learningRate));
      s.initialize();
      double before = scalar(s, nll);
      for (int i = 0; i < steps; i++) {
        s.run(step);
      }
      double fitted = scalar(s, after);
      try (Result r = s.runner().fetch(p.all().get(0).variable()).run()) {
        float[] v = LanguageModelSession.floats(r.get(0));
        return kind == Kind.PLIF
            ? new Fitted(kind, range, v, Double.NaN, before, fitted)
            : new Fitted(kind, Double.NaN, null, Math.exp(v[0]), before, fitted);
      }
    }
  }

  /** f(z) of {@code fitted}, with its parameters as constants, for z of any shape (classes last). */
  public static <T extends TFloating> Operand<T> apply(Ops tf, Operand<T> z, Fitted fitted) {
    Ops s = tf.withSubScope("calibration");
    Operand<T> raw = fitted.kind() == Kind.PLIF
        ? s.dtypes.cast(s.constant(fitted.slopesRaw()), z.type())
        : s.dtypes.cast(s.constant((float) Math.log(fitted.temperature())), z.type());
    return transform(s, z, fitted.kind(), raw, fitted.range());
  }

  private static <T extends TFloating> Operand<T> transform(Ops tf, Operand<T> z, Kind kind, Operand<T> raw,
      double range) {
    return kind == Kind.PLIF ? Mappings.plif(tf, z, raw, range) : tf.math.mul(z, tf.math.exp(tf.math.neg(raw)));
  }

  private static double scalar(Session s, Operand<TFloat32> x) {
    try (Result r = s.runner().fetch(x).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  /** The mean NLL of labels under softmax(z) for z [n, m] row-major (plain Java, for checks). */
  public static double nll(float[] z, int n, int m, int[] labels) {
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < m; j++) {
        max = Math.max(max, z[i * m + j]);
      }
      double lse = 0;
      for (int j = 0; j < m; j++) {
        lse += Math.exp(z[i * m + j] - max);
      }
      sum += max + Math.log(lse) - z[i * m + labels[i]];
    }
    return sum / n;
  }

  /** Row-wise argmax of z [n, m] (first maximum). */
  public static int[] argmax(float[] z, int n, int m) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int best = 0;
      for (int j = 1; j < m; j++) {
        if (z[i * m + j] > z[i * m + best]) {
          best = j;
        }
      }
      out[i] = best;
    }
    return out;
  }

  /** For messages. */
  public static String describe(Fitted f) {
    return f.kind() == Kind.PLIF
        ? String.format("PLIF, %d knots on [-%.4g, %.4g]", f.slopesRaw().length, f.range(), f.range())
        : String.format("temperature %.4f", f.temperature());
  }
}
