package org.beyondsoftmax.models.nn;

import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.family.TFloating;

/**
 * A linear layer y = x W^T + b for x [N, in]: W [out, in] holds one row per output unit (for a
 * head's output layer, one embedding per class), b [out] is optional. W is initialised
 * normal(0, 1/in) (LeCun), b with zeros; W can instead be an existing operand (weight tying).
 */
public final class Dense<T extends TFloating> {
  private final Operand<T> weights;
  private final Optional<Operand<T>> bias;

  private Dense(Operand<T> weights, Optional<Operand<T>> bias) {
    this.weights = weights;
    this.bias = bias;
  }

  /** Creates {@code name_weights} [out, in] and, with {@code bias}, {@code name_bias} [out]. */
  public static <T extends TFloating> Dense<T> create(
      Parameters<T> params, String name, int in, int out, boolean bias) {
    Operand<T> w = params.normal(name + "_weights", Shape.of(out, in), 1.0 / Math.sqrt(in));
    return new Dense<>(params.ops().withName("tied_weights_read").identity(w), bias
        ? Optional.of(params.constant(name + "_bias", Shape.of(out), 0.0)) : Optional.empty());
  }

  /**
   * A layer over existing weights [out, in] owned elsewhere (weight tying, Press &amp; Wolf 2017),
   * with {@code name_bias} [out] if asked.
   */
  public static <T extends TFloating> Dense<T> tied(
      Parameters<T> params, String name, Operand<T> weights, int out, boolean bias) {
    return new Dense<>(params.ops().withName("tied_weights_read").identity(weights),
        bias ? Optional.of(params.constant(name + "_bias", Shape.of(out), 0.0)) : Optional.empty());
  }

  /** x [N, in] to [N, out]. */
  public Operand<T> apply(Ops tf, Operand<T> x) {
    Operand<T> y = tf.linalg.matMul(x, weights, MatMul.transposeB(true));
    return bias.isPresent() ? tf.math.add(y, bias.get()) : y;
  }

  /** W [out, in]. */
  public Operand<T> weights() {
    return weights;
  }
}
