package org.beyondsoftmax.models.nn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.family.TFloating;

/**
 * Layer normalisation (Ba, Kiros &amp; Hinton 2016) over the last axis of x [..., d]:
 * y = g (x - mu) / sqrt(sigma^2 + eps) + b, with mu and sigma^2 the mean and (biased) variance of
 * the d entries, g [d] ({@code name_gain}, ones) and b [d] ({@code name_bias}, zeros) learned,
 * eps = {@value #EPSILON} (PyTorch's default).
 */
public final class LayerNorm<T extends TFloating> {
  /** The eps added to the variance. */
  public static final double EPSILON = 1e-5;

  private final Parameters<T> params;
  private final int size;
  private final Operand<T> gain;
  private final Operand<T> bias;

  /** Creates {@code name_gain} and {@code name_bias} [size]. */
  public LayerNorm(Parameters<T> params, String name, int size) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be >= 1, got " + size);
    }
    this.params = params;
    this.size = size;
    this.gain = params.constant(name + "_gain", Shape.of(size), 1.0);
    this.bias = params.constant(name + "_bias", Shape.of(size), 0.0);
  }

  /** x [..., d] normalised over its last axis. */
  public Operand<T> apply(Ops tf, Operand<T> x) {
    Shape shape = x.shape();
    if (shape.isUnknown() || shape.numDimensions() < 1 || shape.get(shape.numDimensions() - 1) != size) {
      throw new IllegalArgumentException("x must have shape [..., " + size + "], got " + shape);
    }
    Ops s = tf.withSubScope("layerNorm");
    Operand<T> mean = s.math.mean(x, s.constant(-1), Mean.keepDims(true));
    Operand<T> centred = s.math.sub(x, mean);
    Operand<T> variance = s.math.mean(s.math.square(centred), s.constant(-1), Mean.keepDims(true));
    Operand<T> scale = s.math.rsqrt(s.math.add(variance, params.scalar(s, EPSILON)));
    return s.math.add(s.math.mul(s.math.mul(centred, scale), gain), bias);
  }
}
