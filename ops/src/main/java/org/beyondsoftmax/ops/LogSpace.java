package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Map;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TNumber;

/**
 * Log-space sums for the cache ops, written so that -inf terms and empty sums need no special
 * cases downstream: an empty sum is -inf with gradient 0, never NaN, and every gradient is that of
 * the exact formula (the shifts are constants: stopped gradients).
 */
final class LogSpace {
  static final String MIX_RULE = "log_mixture";

  static {
    CustomGradients.define(MIX_RULE, LogSpace::mixtureGradient);
  }

  /** The gradients of the rule {@link #MIX_RULE}; inputs [y, a, b, lambda, exp(a - m), exp(b - m), sum]; y = m + log(sum). */
  private static List<Operand<?>> mixtureGradient(Ops tf, GraphOperation node, List<Output<?>> up) {
    Operand<TNumber> lambda = CustomGradients.input(node, 3);
    Operand<TNumber> ea = CustomGradients.input(node, 4);
    Operand<TNumber> eb = CustomGradients.input(node, 5);
    Operand<TNumber> r = tf.math.divNoNan(
        CustomGradients.<TNumber>upstream(up, 0), CustomGradients.<TNumber>input(node, 6));
    Operand<TNumber> da =
        tf.math.mul(tf.math.mul(r, tf.math.sub(Rows.scalar(tf, 1.0, lambda), lambda)), ea);
    Operand<TNumber> db = tf.math.mul(tf.math.mul(r, lambda), eb);
    Operand<TNumber> dl = tf.math.mul(r, tf.math.sub(eb, ea));
    String reduce = node.attributes().getAttrString("_beyond_reduce");
    if (reduce.equals("all")) {
      dl = tf.reduceSum(dl, tf.range(tf.constant(0), tf.rank(dl), tf.constant(1)));
    } else if (reduce.equals("last")) {
      dl = Rows.sumLast(tf, dl);
    }
    return List.of(CustomGradients.passThrough(node, 0), da, db, dl,
        CustomGradients.passThrough(node, 4), CustomGradients.passThrough(node, 5),
        CustomGradients.passThrough(node, 6));
  }

  private LogSpace() {}

  /** The lowest finite value of x's dtype (float32 or float64), as a scalar. */
  private static <T extends TNumber> Operand<T> lowest(Ops tf, Operand<T> x) {
    return Rows.scalar(tf, x.type() == TFloat64.class ? -Double.MAX_VALUE : -Float.MAX_VALUE, x);
  }

  /**
   * log sum_{j: mask_j} exp(x_j) over the last axis, the axis removed; -inf (gradient 0) where no
   * entry is kept or all kept entries are -inf.
   *
   * @param mask entries to keep, broadcastable to x; null keeps all
   */
  static <T extends TNumber> Operand<T> logSumExp(Ops tf, Operand<T> x, Operand<TBool> mask) {
    Operand<T> kept = mask == null ? x : tf.select(mask, x, minusInf(tf, x));
    Operand<T> shift = Rows.safeMax(tf, kept);
    Operand<T> sum = Rows.sumLast(tf, tf.math.exp(tf.math.sub(kept, shift)));
    return tf.squeeze(log(tf, sum, shift), Squeeze.axis(List.of(-1L)));
  }

  /**
   * log((1 - lambda) exp(a) + lambda exp(b)), elementwise: the mixture of two probabilities given
   * as logs, m + log((1 - lambda) exp(a - m) + lambda exp(b - m)) with m = max(a, b); -inf where
   * the mixture is 0. One custom gradient (a few passes instead of autodiff's many, and finite at
   * lambda = 0 and 1 where d log(lambda) is not): with r = g / mixture (0 where the mixture is 0),
   * da = r (1 - lambda) exp(a), db = r lambda exp(b), dlambda = sum r (exp(b) - exp(a)).
   *
   * @param a log-probabilities
   * @param b log-probabilities, the shape of a
   * @param lambda a scalar, or the shape of a, or the shape of a with size 1 on the last axis
   */
  static <T extends TNumber> Operand<T> mix(Ops tf, Operand<T> a, Operand<T> b, Operand<T> lambda) {
    Operand<T> as = tf.stopGradient(a);
    Operand<T> bs = tf.stopGradient(b);
    Operand<T> ls = tf.stopGradient(lambda);
    // the shift; the lowest finite value where both are -inf, so that no inf - inf arises
    Operand<T> m = tf.math.maximum(tf.math.maximum(as, bs), lowest(tf, as));
    Operand<T> ea = tf.math.exp(tf.math.sub(as, m));
    Operand<T> eb = tf.math.exp(tf.math.sub(bs, m));
    Operand<T> sum = tf.math.add(
        tf.math.mul(tf.math.sub(Rows.scalar(tf, 1.0, ls), ls), ea), tf.math.mul(ls, eb));
    Operand<T> y = tf.math.add(m, tf.math.log(sum)); // log 0 = -inf: the gradient is custom
    int rank = lambda.shape().numDimensions();
    String reduce = rank == 0 ? "all" : lambda.shape().get(rank - 1) == 1 ? "last" : "none";
    return CustomGradients.apply(tf, MIX_RULE, y,
        List.of(a, b, lambda, tf.stopGradient(ea), tf.stopGradient(eb), tf.stopGradient(sum)),
        Map.of("reduce", reduce));
  }

  /** log(exp(a) + exp(b)), elementwise; -inf (gradient 0) where both are -inf. */
  static <T extends TNumber> Operand<T> add(Ops tf, Operand<T> a, Operand<T> b) {
    Operand<T> m = Rows.finite(tf, tf.stopGradient(tf.math.maximum(a, b)));
    Operand<T> sum = tf.math.add(tf.math.exp(tf.math.sub(a, m)), tf.math.exp(tf.math.sub(b, m)));
    return log(tf, sum, m);
  }

  /** shift + log(sum) where sum &gt; 0, else -inf with gradient 0 (no log(0) in the graph). */
  static <T extends TNumber> Operand<T> log(Ops tf, Operand<T> sum, Operand<T> shift) {
    Operand<TBool> some = tf.math.greater(sum, tf.zerosLike(sum));
    Operand<T> log = tf.math.log(tf.select(some, sum, Rows.scalar(tf, 1.0, sum)));
    return tf.select(some, tf.math.add(shift, log), minusInf(tf, sum));
  }

  static <T extends TNumber> Operand<T> minusInf(Ops tf, Operand<T> like) {
    return Rows.scalar(tf, Double.NEGATIVE_INFINITY, like);
  }
}
