package org.beyondsoftmax.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * Sparsemax (Martins &amp; Astudillo 2016) on the last axis: p = max(x - tau, 0) with sum(p) = 1,
 * and its regulariser, the Gini entropy (1 - sum_j p_j^2)/2.
 *
 * <p>Threshold: over the sorted candidates z (x - max x, see {@link Candidates}),
 * tau = max_j (c_j - 1)/j with c_j the prefix sums (the maximiser is the support size), then
 * recomputed with a plain sum over the support, tau = (sum_{z &gt; tau} z - 1)/#{z &gt; tau}, so
 * rows with thousands of support entries stay exact. Gradient (custom):
 * dx = s (g - sum(s g)/sum(s)), s = 1[p &gt; 0]. Loss (Fenchel-Young): L = sum_j p_j z_j +
 * (1 - sum_j p_j^2)/2 - z_y, computed on the candidates only; its gradient is p - onehot(y).
 */
final class Sparsemax extends SortedThresholdMapping {
  static final Sparsemax INSTANCE = new Sparsemax();

  private Sparsemax() {
    super("sparsemax", "sparsemax_loss", NativeKernels.Sparse.SPARSEMAX);
  }

  @Override
  <T extends TNumber> Operand<T> probabilities(Ops tf, Operand<T> x, Operand<T> t) {
    return Rows.positive(tf, tf.math.sub(x, t));
  }

  @Override
  <T extends TNumber> Threshold<T> threshold(
      Ops tf, Operand<T> x, Operand<T> rowMax, SortStrategy strategy) {
    Operand<T> m = Rows.finite(tf, rowMax);
    Operand<T> one = Rows.scalar(tf, 1.0, x);
    Operand<T> top = tf.math.sub(Candidates.sortedTop(tf, x, m, one, strategy), m);
    Operand<T> cum = tf.math.cumsum(top, Rows.last(tf));
    Operand<T> tau0 =
        Rows.maxLast(tf, tf.math.div(tf.math.sub(cum, one), Candidates.ranks(tf, top)));
    Operand<TBool> support = tf.math.greater(top, tau0);
    Operand<T> n = Rows.sumLast(tf, tf.dtypes.cast(support, top.type()));
    Operand<T> sum = Rows.sumLast(tf, Rows.where0(tf, support, top));
    Operand<T> tau = tf.math.div(tf.math.sub(sum, one), Rows.nonZero(tf, n));
    return new Threshold<>(top, zeroWithoutSupport(tf, n, tau), m);
  }

  @Override
  <T extends TNumber> Operand<T> thresholdOfX(Ops tf, Threshold<T> th) {
    return tf.math.add(th.shift(), th.tau());
  }

  @Override
  <T extends TNumber> Operand<T> candidateProbabilities(Ops tf, Threshold<T> th) {
    return probabilities(tf, th.top(), th.tau());
  }

  @Override
  <T extends TNumber> Operand<T> candidateLogits(Ops tf, Threshold<T> th) {
    return th.top();
  }

  @Override
  <T extends TNumber> Operand<T> entropy(Ops tf, Operand<T> p) {
    return Entropies.gini(tf, p);
  }

  /** s (g - sum(s g)/sum(s)), s = 1[p &gt; 0]. */
  @Override
  <T extends TNumber> Operand<T> jvp(Ops tf, Operand<T> p, Operand<T> g) {
    return weightedJvp(tf, support(tf, p), g);
  }
}
