package org.beyondsoftmax.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * Exact 1.5-entmax (Peters, Niculae &amp; Martins 2019) on the last axis: with z = (x - max x)/2,
 * p = max(z - tau, 0)^2 and sum(p) = 1; its regulariser is the Tsallis 1.5-entropy
 * (1 - sum_j p_j^1.5)/0.75.
 *
 * <p>Threshold: over the sorted candidates (see {@link Candidates}),
 * tau_j = mean_j - sqrt(max(1/j - var_j, 0)) with the prefix mean and variance; the support size
 * is #{j : tau_j &lt;= z_(j)}; then tau is recomputed from plain sums over that support. Gradient
 * (custom), with r = sqrt(p): dx = r g - (sum(r g)/sum(r)) r. Loss (Fenchel-Young, alpha = 1.5):
 * L = sum_j p_j (x_j - max x) + (1 - sum_j p_j^1.5)/0.75 - (x_y - max x), on the candidates only.
 */
final class Entmax15 extends SortedThresholdMapping {
  static final Entmax15 INSTANCE = new Entmax15();

  private Entmax15() {
    super("entmax15", "entmax15_loss", NativeKernels.Sparse.ENTMAX15);
  }

  /** p = max(x/2 - t, 0)^2 for the threshold t in units of x/2. */
  @Override
  <T extends TNumber> Operand<T> probabilities(Ops tf, Operand<T> x, Operand<T> t) {
    return squaredPositive(tf, tf.math.sub(tf.math.mul(x, Rows.scalar(tf, 0.5, x)), t));
  }

  private static <T extends TNumber> Operand<T> squaredPositive(Ops tf, Operand<T> d) {
    return tf.math.square(Rows.positive(tf, d));
  }

  /** The threshold in units of x/2: max/2 + tau. */
  @Override
  <T extends TNumber> Operand<T> thresholdOfX(Ops tf, Threshold<T> th) {
    return tf.math.add(tf.math.mul(th.shift(), Rows.scalar(tf, 0.5, th.shift())), th.tau());
  }

  /** The threshold for logits x (gradient stopped); candidates and tau in units of (x - max)/2. */
  @Override
  <T extends TNumber> Threshold<T> threshold(
      Ops tf, Operand<T> x, Operand<T> rowMax, SortStrategy strategy) {
    Operand<T> m = Rows.finite(tf, rowMax);
    Operand<T> half = Rows.scalar(tf, 0.5, x);
    Operand<T> top =
        tf.math.mul(
            tf.math.sub(Candidates.sortedTop(tf, x, m, Rows.scalar(tf, 2.0, x), strategy), m), half);
    // candidates <= -1 are never in the support (p <= 1 gives tau >= -1): keep them, and -inf
    // masks, out of the prefix sums, where -inf would give inf - inf
    Operand<TBool> valid = tf.math.greater(top, Rows.scalar(tf, -1.0, x));
    Operand<T> t = Rows.where0(tf, valid, top);
    Operand<T> j = Candidates.ranks(tf, top);
    Operand<T> mean = tf.math.div(tf.math.cumsum(t, Rows.last(tf)), j);
    Operand<T> meanSq = tf.math.div(tf.math.cumsum(tf.math.square(t), Rows.last(tf)), j);
    Operand<T> tauJ = tauFromMoments(tf, mean, meanSq, j);
    Operand<TBool> in = tf.math.logicalAnd(valid, tf.math.lessEqual(tauJ, top));
    Operand<T> size = Rows.sumLast(tf, tf.dtypes.cast(in, x.type()));
    Operand<T> tau0 = Rows.sumLast(tf, Rows.where0(tf, tf.math.equal(j, size), tauJ));
    // recompute from plain sums over the support
    Operand<TBool> support = tf.math.logicalAnd(valid, tf.math.greater(top, tau0));
    Operand<T> n = Rows.sumLast(tf, tf.dtypes.cast(support, x.type()));
    Operand<T> safeN = Rows.nonZero(tf, n);
    Operand<T> zs = Rows.where0(tf, support, top);
    Operand<T> m1 = tf.math.div(Rows.sumLast(tf, zs), safeN);
    Operand<T> m2 = tf.math.div(Rows.sumLast(tf, tf.math.square(zs)), safeN);
    Operand<T> tau = tauFromMoments(tf, m1, m2, safeN);
    return new Threshold<>(top, zeroWithoutSupport(tf, n, tau), m);
  }

  /** The root tau &lt; mean of sum_{support} (z - tau)^2 = 1 from the support's moments. */
  private static <T extends TNumber> Operand<T> tauFromMoments(
      Ops tf, Operand<T> mean, Operand<T> meanSq, Operand<T> n) {
    Operand<T> variance = tf.math.sub(meanSq, tf.math.square(mean));
    Operand<T> delta = tf.math.sub(tf.math.reciprocal(n), variance);
    return tf.math.sub(mean, tf.math.sqrt(Rows.positive(tf, delta)));
  }

  @Override
  <T extends TNumber> Operand<T> candidateProbabilities(Ops tf, Threshold<T> th) {
    return squaredPositive(tf, tf.math.sub(th.top(), th.tau()));
  }

  /** The candidates in units of x - max. */
  @Override
  <T extends TNumber> Operand<T> candidateLogits(Ops tf, Threshold<T> th) {
    return tf.math.mul(th.top(), Rows.scalar(tf, 2.0, th.top()));
  }

  @Override
  <T extends TNumber> Operand<T> entropy(Ops tf, Operand<T> p) {
    return Entropies.tsallis15(tf, p);
  }

  /** r g - (sum(r g)/sum(r)) r with r = sqrt(p). */
  @Override
  <T extends TNumber> Operand<T> jvp(Ops tf, Operand<T> p, Operand<T> g) {
    return weightedJvp(tf, tf.math.sqrt(p), g);
  }
}
