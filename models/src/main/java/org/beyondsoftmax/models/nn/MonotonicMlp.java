package org.beyondsoftmax.models.nn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * An increasing one-hidden-layer network (Daniels &amp; Velikova 2010, "Monotone and Partially
 * Monotone Neural Networks"), elementwise: f(x) = sum_{i&lt;K} v_i sigmoid(u_i x + b_i) with
 * u = softplus(u_raw) &gt; 0 and v = softplus(v_raw) &gt; 0. The output bias of the paper is left out:
 * softmax is shift invariant, so it would get no gradient. Initially u = 1, the K sigmoids are
 * centred evenly on [-range, range] and v = their spacing, so f' is close to 1 there.
 * Memory O(K x size of x).
 */
public final class MonotonicMlp<T extends TFloating> implements MonotoneFunction<T> {
  public static final int DEFAULT_UNITS = 16;
  public static final double DEFAULT_RANGE = 10.0;

  private final Operand<T> slopesRaw;
  private final Operand<T> offsets;
  private final Operand<T> weightsRaw;
  private final double range;

  /** Creates {@code mlp_slopes_raw}, {@code mlp_offsets} and {@code mlp_weights_raw} [K]. */
  public MonotonicMlp(Parameters<T> params, int units, double range) {
    if (units < 1) {
      throw new IllegalArgumentException("units must be >= 1, got " + units);
    }
    if (!(range > 0) || Double.isInfinite(range)) {
      throw new IllegalArgumentException("range must be finite and > 0, got " + range);
    }
    this.range = range;
    double spacing = units == 1 ? 1.0 : 2 * range / (units - 1);
    Shape k = Shape.of(units);
    this.slopesRaw = params.constant("mlp_slopes_raw", k, Math.log(Math.expm1(1.0)));
    this.offsets = params.variable("mlp_offsets", 1.0, i -> i.math.neg(
        i.linSpace(params.scalar(i, units == 1 ? 0 : -range), params.scalar(i, range), i.constant(units))));
    this.weightsRaw = params.constant("mlp_weights_raw", k, Math.log(Math.expm1(spacing)));
  }

  @Override
  public Operand<T> apply(Ops tf, Operand<T> x) {
    Operand<T> column = tf.reshape(x, tf.constant(new int[] {-1, 1}));
    Operand<T> u = tf.expandDims(tf.math.softplus(slopesRaw), tf.constant(0)); // [1, K]
    Operand<T> hidden = tf.math.sigmoid(tf.math.add(tf.linalg.matMul(column, u), offsets));
    Operand<T> v = tf.expandDims(tf.math.softplus(weightsRaw), tf.constant(-1)); // [K, 1]
    return tf.reshape(tf.linalg.matMul(hidden, v), tf.shape(x));
  }

  @Override
  public double range() {
    return range;
  }
}
