package org.beyondsoftmax.ops;

import java.util.function.UnaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * Rows whose entries are all -inf (fully masked) have no distribution. Every mapping gives them a
 * fixed {@code fill} (0 for probabilities, -inf for log-probabilities) with zero gradient, instead
 * of NaN: the row is computed on zeros and the result replaced.
 */
final class RowGuard {
  private RowGuard() {}

  /** {@code f} applied on the last axis of {@code x}, with fully masked rows set to {@code fill}. */
  static <T extends TNumber> Operand<T> apply(
      Ops tf, Operand<T> x, double fill, UnaryOperator<Operand<T>> f) {
    Operand<TBool> masked = G.allMasked(tf, G.maxLast(tf, tf.stopGradient(x)));
    Operand<T> safe = tf.select(masked, tf.zerosLike(x), x);
    Operand<T> y = f.apply(safe);
    return tf.select(masked, G.scalar(tf, fill, y), y);
  }
}
