package org.beyondsoftmax.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/** Softmax and log-softmax on the last axis, with -inf masks and fully masked rows handled. */
final class Softmax {
  private Softmax() {}

  /** p_i = exp(x_i - max x) / sum_j exp(x_j - max x). */
  static <T extends TNumber> Operand<T> softmax(Ops tf, Operand<T> x) {
    return RowGuard.apply(tf, x, 0.0, safe -> tf.nn.softmax(safe));
  }

  /** log p_i = x_i - max x - log sum_j exp(x_j - max x); -inf at masked entries. */
  static <T extends TNumber> Operand<T> logSoftmax(Ops tf, Operand<T> x) {
    // TensorFlow's C++ gradient of LogSoftmax sums over axis 1: only right for rank 2
    return RowGuard.apply(
        tf,
        x,
        Double.NEGATIVE_INFINITY,
        safe -> {
          Operand<T> rows = tf.reshape(safe, tf.stack(List.of(tf.constant(-1), G.lastDim(tf, safe))));
          return tf.reshape(tf.nn.logSoftmax(rows), tf.shape(safe));
        });
  }

  /** Sigsoftmax logits u = x + log sigmoid(x) = x - softplus(-x), stable for any x. */
  static <T extends TNumber> Operand<T> sigsoftmaxLogits(Ops tf, Operand<T> x) {
    return tf.math.sub(x, tf.math.softplus(tf.math.neg(x)));
  }
}
