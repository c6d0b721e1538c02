package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * Sparsemax (Martins &amp; Astudillo 2016) on the last axis: p = max(z - tau, 0) with sum(p) = 1.
 *
 * <p>Threshold: tau = max_j (c_j - 1)/j over the sorted candidates (c_j their cumulative sum; the
 * maximiser is the support size), then refined exactly on the full row: tau = (sum_{z > tau} z -
 * 1)/#{z > tau}. Gradient (custom): dx = s * (g - sum(s g)/sum(s)), s = 1[p > 0].
 */
final class Sparsemax {
  static final String RULE = "sparsemax";

  static {
    CustomGradients.define(
        RULE,
        (tf, node, up) -> {
          Operand<TNumber> p = (Operand<TNumber>) (Operand<?>) node.input(0);
          Operand<TNumber> g = (Operand<TNumber>) (Operand<?>) up.get(0);
          return List.of(CustomGradients.passThrough(node, 0), jvp(tf, p, g));
        });
  }

  private Sparsemax() {}

  static <T extends TNumber> Operand<T> lastAxis(Ops tf, Operand<T> x, SortStrategy strategy) {
    return RowGuard.apply(
        tf,
        x,
        0.0,
        safe -> {
          Operand<T> xs = tf.stopGradient(safe);
          Operand<T> z = tf.math.sub(xs, G.maxLast(tf, xs));
          Operand<T> tau = threshold(tf, z, strategy);
          Operand<T> p = tf.math.maximum(tf.math.sub(z, tau), tf.zerosLike(z));
          return CustomGradients.apply(tf, RULE, p, List.of(safe), Map.of());
        });
  }

  /** tau for max-shifted logits z (row maximum 0), shape [.., 1]. */
  static <T extends TNumber> Operand<T> threshold(Ops tf, Operand<T> z, SortStrategy strategy) {
    Operand<T> top = Candidates.sortedTop(tf, z, strategy);
    Operand<T> one = G.scalar(tf, 1.0, z);
    Operand<T> cum = tf.math.cumsum(top, G.last(tf));
    Operand<T> candidates = tf.math.div(tf.math.sub(cum, one), Candidates.ranks(tf, top));
    Operand<T> tau0 = G.maxLast(tf, candidates);
    // exact refinement on the whole row
    Operand<TBool> support = tf.math.greater(z, tau0);
    Operand<T> n = G.sumLast(tf, tf.dtypes.cast(support, z.type()));
    Operand<T> sum = G.sumLast(tf, G.where0(tf, support, z));
    return tf.math.div(tf.math.sub(sum, one), n);
  }

  /** Jacobian-vector product of sparsemax at output p: s * (g - sum(s g)/sum(s)). */
  static <T extends TNumber> Operand<T> jvp(Ops tf, Operand<T> p, Operand<T> g) {
    Operand<TBool> s = tf.math.greater(p, tf.zerosLike(p));
    Operand<T> sf = tf.dtypes.cast(s, p.type());
    Operand<T> gs = tf.math.mul(g, sf);
    Operand<T> mean = tf.math.div(G.sumLast(tf, gs), G.sumLast(tf, sf));
    return tf.math.mul(tf.math.sub(g, mean), sf);
  }
}
