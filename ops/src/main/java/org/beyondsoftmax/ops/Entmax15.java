package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * Exact 1.5-entmax (Peters, Niculae &amp; Martins 2019) on the last axis: with z = (x - max x)/2,
 * p = max(z - tau, 0)^2 and sum(p) = 1.
 *
 * <p>Threshold: over the sorted candidates, tau_j = mean_j - sqrt(max(1/j - var_j, 0)) with the
 * prefix mean and variance; the support size is #{j : tau_j <= z_(j)}; then tau is recomputed
 * exactly on the full row's support. Gradient (custom): with r = sqrt(p),
 * dx = r g - (sum(r g)/sum(r)) r.
 */
final class Entmax15 {
  static final String RULE = "entmax15";

  static {
    CustomGradients.define(
        RULE,
        (tf, node, up) -> {
          Operand<TNumber> p = (Operand<TNumber>) (Operand<?>) node.input(0);
          Operand<TNumber> g = (Operand<TNumber>) (Operand<?>) up.get(0);
          return List.of(CustomGradients.passThrough(node, 0), jvp(tf, tf.math.sqrt(p), g));
        });
  }

  private Entmax15() {}

  static <T extends TNumber> Operand<T> lastAxis(Ops tf, Operand<T> x, SortStrategy strategy) {
    return RowGuard.apply(
        tf,
        x,
        0.0,
        safe -> {
          Operand<T> xs = tf.stopGradient(safe);
          Operand<T> z =
              tf.math.mul(tf.math.sub(xs, G.maxLast(tf, xs)), G.scalar(tf, 0.5, xs));
          Operand<T> tau = threshold(tf, z, strategy);
          Operand<T> p = tf.math.square(tf.math.maximum(tf.math.sub(z, tau), tf.zerosLike(z)));
          return CustomGradients.apply(tf, RULE, p, List.of(safe), Map.of());
        });
  }

  /** tau for z = (x - max x)/2, shape [.., 1]. */
  static <T extends TNumber> Operand<T> threshold(Ops tf, Operand<T> z, SortStrategy strategy) {
    Operand<T> top = Candidates.sortedTop(tf, z, strategy);
    Operand<T> minusOne = G.scalar(tf, -1.0, z);
    // entries <= -1 are never in the support (p_max <= 1 gives tau >= -1): keep them out of the
    // prefix sums, where a -inf would give inf - inf
    Operand<TBool> valid = tf.math.greater(top, minusOne);
    Operand<T> t = G.where0(tf, valid, top);
    Operand<T> j = Candidates.ranks(tf, top);
    Operand<T> mean = tf.math.div(tf.math.cumsum(t, G.last(tf)), j);
    Operand<T> meanSq = tf.math.div(tf.math.cumsum(tf.math.square(t), G.last(tf)), j);
    Operand<T> tauJ = tauFromMoments(tf, mean, meanSq, j);
    Operand<TBool> in = tf.math.logicalAnd(valid, tf.math.lessEqual(tauJ, top));
    Operand<T> size = G.sumLast(tf, tf.dtypes.cast(in, z.type()));
    Operand<T> tau0 = G.sumLast(tf, G.where0(tf, tf.math.equal(j, size), tauJ));
    // exact refinement on the whole row
    Operand<TBool> support = tf.math.greater(z, tau0);
    Operand<T> n = G.sumLast(tf, tf.dtypes.cast(support, z.type()));
    Operand<T> zs = G.where0(tf, support, z);
    Operand<T> m1 = tf.math.div(G.sumLast(tf, zs), n);
    Operand<T> m2 = tf.math.div(G.sumLast(tf, tf.math.square(zs)), n);
    return tauFromMoments(tf, m1, m2, n);
  }

  /** The root tau &lt; mean of sum_{support} (z - tau)^2 = 1 from the support's moments. */
  private static <T extends TNumber> Operand<T> tauFromMoments(
      Ops tf, Operand<T> mean, Operand<T> meanSq, Operand<T> n) {
    Operand<T> variance = tf.math.sub(meanSq, tf.math.square(mean));
    Operand<T> delta = tf.math.sub(tf.math.reciprocal(n), variance);
    return tf.math.sub(mean, tf.math.sqrt(tf.math.maximum(delta, tf.zerosLike(delta))));
  }

  /** dx = r g - (sum(r g)/sum(r)) r, the entmax Jacobian-vector product for weights r. */
  static <T extends TNumber> Operand<T> jvp(Ops tf, Operand<T> r, Operand<T> g) {
    Operand<T> rg = tf.math.mul(r, g);
    Operand<T> q = tf.math.div(G.sumLast(tf, rg), G.sumLast(tf, r));
    return tf.math.sub(rg, tf.math.mul(q, r));
  }
}
