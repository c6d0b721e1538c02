package org.beyondsoftmax.models.nn;

import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * The PLIF function of LMS-PLIF (Ganea et al. 2019, "Breaking the Softmax Bottleneck via Learnable
 * Monotonic Pointwise Non-linearities"), with its K raw slopes v as a variable: K intervals of
 * width delta = 2T/K on [-T, T], slopes s = softplus(v) &gt; 0,
 * f(x) = s_i (x + T - i delta) + delta sum_{j&lt;i} s_j, linear beyond +-T ({@link Mappings#plif};
 * memory O(K + size of x), independent of K x batch). Initial slopes are uniform in
 * [1 - spread, 1 + spread], so f starts close to x + T (softmax is shift invariant).
 */
public final class PlifFunction<T extends TFloating> implements MonotoneFunction<T> {
  private final Operand<T> slopesRaw;
  private final PlifSettings settings;

  /** Creates the variable {@code plif_slopes_raw} [K] in {@code params}. */
  public PlifFunction(Parameters<T> params, PlifSettings settings) {
    this.settings = settings;
    this.slopesRaw = params.variable("plif_slopes_raw", settings.slopeLearningRate(), i -> {
      Operand<T> u = i.random.statelessRandomUniform(
          i.constant(Shape.of(settings.knots())), params.seed(i, "plif_slopes_raw"), params.dtype());
      Operand<T> slopes = i.math.add(params.scalar(i, 1 - settings.slopeSpread()),
          i.math.mul(u, params.scalar(i, 2 * settings.slopeSpread())));
      return i.math.log(i.math.expm1(slopes)); // softplus^-1
    });
  }

  @Override
  public Operand<T> apply(Ops tf, Operand<T> x) {
    return Mappings.plif(tf, x, slopesRaw, settings.range());
  }

  /** The raw slopes v [K] (the variable's read), for ops that apply the PLIF themselves. */
  public Operand<T> slopesRaw() {
    return slopesRaw;
  }

  /** The slopes softplus(v) [K]. */
  public Operand<T> slopes(Ops tf) {
    return tf.math.softplus(slopesRaw);
  }

  @Override
  public double range() {
    return settings.range();
  }

  public PlifSettings settings() {
    return settings;
  }
}
