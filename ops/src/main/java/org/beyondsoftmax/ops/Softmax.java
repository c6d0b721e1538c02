package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * Softmax and log-softmax on the last axis, written so that -inf masks and fully masked rows need
 * no extra passes: the shift is the row maximum, or 0 for a row that is all -inf, so such a row
 * gives probabilities 0 and log-probabilities -inf instead of NaN. Custom gradients:
 * softmax dx = p (g - sum(p g)); log-softmax dx = g - p sum(g).
 */
final class Softmax {
  static final String SOFTMAX_RULE = "softmax";
  static final String LOG_SOFTMAX_RULE = "log_softmax";

  static {
    CustomGradients.define(SOFTMAX_RULE, Softmax::softmaxGradient);
    CustomGradients.define(LOG_SOFTMAX_RULE, Softmax::logSoftmaxGradient);
  }

  /** The gradients of the rule {@link #SOFTMAX_RULE}. */
  private static List<Operand<?>> softmaxGradient(Ops tf, GraphOperation node, List<Output<?>> up) {
    Operand<TNumber> p = CustomGradients.input(node, 0);
    Operand<TNumber> g = CustomGradients.upstream(up, 0);
    Operand<TNumber> dx = tf.math.mul(p, tf.math.sub(g, Rows.sumLast(tf, tf.math.mul(p, g))));
    return List.of(CustomGradients.passThrough(node, 0), dx);
  }

  /** The gradients of the rule {@link #LOG_SOFTMAX_RULE}. */
  private static List<Operand<?>> logSoftmaxGradient(Ops tf, GraphOperation node, List<Output<?>> up) {
    Operand<TNumber> logp = CustomGradients.input(node, 0);
    Operand<TNumber> g = CustomGradients.upstream(up, 0);
    Operand<TNumber> dx = tf.math.sub(g, tf.math.mul(tf.math.exp(logp), Rows.sumLast(tf, g)));
    return List.of(CustomGradients.passThrough(node, 0), dx);
  }

  private Softmax() {}

  /** One of the four mappings on the last axis: the fused kernel when {@link Kernels} allows. */
  static <T extends TNumber> Operand<T> family(Ops tf, Operand<T> x, NativeKernels.SoftmaxMode mode) {
    Optional<NativeKernels> fused = Kernels.forScope(tf);
    if (fused.isPresent()) {
      return fused.get().softmax(tf, x, mode);
    }
    return switch (mode) {
      case SOFTMAX -> softmax(tf, x);
      case LOG_SOFTMAX -> logSoftmax(tf, x);
      case SIGSOFTMAX -> softmax(tf, sigsoftmaxLogits(tf, x));
      case LOG_SIGSOFTMAX -> logSoftmax(tf, sigsoftmaxLogits(tf, x));
    };
  }

  /** p_i = exp(x_i - m) / sum_j exp(x_j - m); 0 in rows that are all -inf. */
  static <T extends TNumber> Operand<T> softmax(Ops tf, Operand<T> x) {
    Operand<T> xs = tf.stopGradient(x);
    Operand<T> e = tf.math.exp(tf.math.sub(xs, Rows.safeMax(tf, xs)));
    Operand<T> p = tf.math.mul(e, tf.math.reciprocal(Rows.nonZero(tf, Rows.sumLast(tf, e))));
    return CustomGradients.apply(tf, SOFTMAX_RULE, p, List.of(x), Map.of());
  }

  /** log p_i = x_i - logsumexp(x); -inf at masked entries and in rows that are all -inf. */
  static <T extends TNumber> Operand<T> logSoftmax(Ops tf, Operand<T> x) {
    Operand<T> xs = tf.stopGradient(x);
    Operand<T> y = tf.math.sub(xs, Rows.finite(tf, Rows.logSumExp(tf, xs, Rows.maxLast(tf, xs))));
    return CustomGradients.apply(tf, LOG_SOFTMAX_RULE, y, List.of(x), Map.of());
  }

  /** Sigsoftmax logits u = x + log sigmoid(x) = x - softplus(-x), stable for any x. */
  static <T extends TNumber> Operand<T> sigsoftmaxLogits(Ops tf, Operand<T> x) {
    return tf.math.sub(x, tf.math.softplus(tf.math.neg(x)));
  }
}
