package org.beyondsoftmax.models;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TFloating;

/** Losses against target distributions q [N, M], shared by the heads. */
final class Targets {
  private Targets() {}

  /** Fails unless q has shape [N, M] (where known). */
  static <T extends TFloating> Operand<T> check(Operand<T> q, HeadConfig<T> config) {
    Shape s = q.shape();
    if (!s.isUnknown() && (s.numDimensions() != 2
        || (s.get(1) != Shape.UNKNOWN_SIZE && s.get(1) != config.classes()))) {
      throw new IllegalArgumentException(
          "targets must have shape [N, " + config.classes() + "] (one distribution per row), got " + s);
    }
    return q;
  }

  /** -sum_j q_j log p_j per row [N]; entries with q_j = 0 contribute 0 (even where log p_j = -inf). */
  static <T extends TFloating> Operand<T> crossEntropy(Ops tf, Operand<T> logp, Operand<T> q) {
    Operand<TBool> on = tf.math.greater(q, tf.zerosLike(q));
    Operand<T> terms = tf.select(on, tf.math.mul(q, logp), tf.zerosLike(logp));
    return tf.math.neg(sumLast(tf, terms));
  }

  /** sum over the last axis, [N, M] to [N]. */
  static <T extends TFloating> Operand<T> sumLast(Ops tf, Operand<T> x) {
    return tf.reduceSum(x, tf.constant(-1), ReduceSum.keepDims(false));
  }
}
