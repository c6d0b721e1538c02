package org.beyondsoftmax.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * Log of a mixture of softmaxes (Yang et al. 2018, "Breaking the Softmax Bottleneck"), in log
 * space: log p_j = logsumexp_k(log_softmax(prior)_k + log_softmax(x_k)_j), components on the
 * second-to-last axis and classes on the last.
 */
final class MixtureOfSoftmaxes {
  private MixtureOfSoftmaxes() {}

  /** @param x [.., K, M]; prior [.., K] */
  static <T extends TNumber> Operand<T> logLastAxis(Ops tf, Operand<T> x, Operand<T> prior) {
    Operand<T> logPrior = tf.expandDims(Softmax.logSoftmax(tf, prior), tf.constant(-1));
    Operand<T> joint = tf.math.add(logPrior, Softmax.logSoftmax(tf, x)); // [.., K, M]
    Operand<org.tensorflow.types.TInt32> comp = tf.constant(-2);
    Operand<T> m = tf.reduceMax(tf.stopGradient(joint), comp, ReduceMax.keepDims(true));
    Operand<TBool> finite = tf.math.isFinite(m);
    m = tf.select(finite, m, tf.zerosLike(m));
    Operand<T> sum = tf.reduceSum(tf.math.exp(tf.math.sub(joint, m)), comp, ReduceSum.keepDims(true));
    Operand<TBool> some = tf.math.greater(sum, tf.zerosLike(sum));
    Operand<T> log = tf.math.log(tf.select(some, sum, Rows.scalar(tf, 1.0, sum)));
    Operand<T> y = tf.select(some, tf.math.add(m, log), Rows.scalar(tf, Double.NEGATIVE_INFINITY, sum));
    return tf.squeeze(y, org.tensorflow.op.core.Squeeze.axis(java.util.List.of(-2L)));
  }
}
