package org.beyondsoftmax.models.calibration;

import org.beyondsoftmax.models.nn.Parameters;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
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
 * only the confidence moves. This class builds the graphs: the fit's objective ({@link
 * #objective}; {@link CalibrationFit} runs it, full-batch Adam) and the fitted function added to
 * any graph as constants ({@link #apply}).
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
   * The fit's graph: the mean NLL of the labels before and after the transform, the transform's
   * raw parameters ({@code slopes_raw} [K] or {@code log_temperature}), and one Adam step on them.
   */
  public record Objective(Operand<TFloat32> nllBefore, Operand<TFloat32> nllAfter,
      Variable<TFloat32> raw, Op step) {}

  /**
   * Builds the objective of fitting the transform to logits z [n, m] and labels y [n]
   * (the slopes start at 1, the temperature at 1).
   *
   * @param range R, the PLIF's interval (covering the logits)
   */
  public static Objective objective(Ops tf, Operand<TFloat32> z, Operand<TInt32> y, Kind kind, int knots,
      double range, double learningRate) {
    Parameters<TFloat32> p = new Parameters<>(tf, TFloat32.class, 0, "calibration");
    Operand<TFloat32> raw = kind == Kind.PLIF
        ? p.constant("slopes_raw", Shape.of(knots), Math.log(Math.expm1(1.0)))
        : p.constant("log_temperature", Shape.scalar(), 0.0);
    Operand<TFloat32> nll = tf.math.mean(Losses.crossEntropy(tf, z, y), tf.constant(0));
    Operand<TFloat32> after = tf.math.mean(Losses.crossEntropy(tf, transform(tf, z, kind, raw, range), y),
        tf.constant(0));
    Op step = Optimizer.minimize(tf, after, p.all(), learningRate, Optimizer.Settings.adam()).update();
    return new Objective(nll, after, p.all().get(0).variable(), step);
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
