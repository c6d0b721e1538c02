package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * Exact 1.5-entmax (Peters, Niculae &amp; Martins 2019) on the last axis: with z = (x - max x)/2,
 * p = max(z - tau, 0)^2 and sum(p) = 1.
 *
 * <p>Threshold: over the sorted candidates (see {@link Candidates}),
 * tau_j = mean_j - sqrt(max(1/j - var_j, 0)) with the prefix mean and variance; the support size
 * is #{j : tau_j &lt;= z_(j)}; then tau is recomputed from plain sums over that support. Gradient
 * (custom), with r = sqrt(p): dx = r g - (sum(r g)/sum(r)) r. Loss (Fenchel-Young, alpha = 1.5):
 * L = sum_j p_j (x_j - max x) + (1 - sum_j p_j^1.5)/0.75 - (x_y - max x), on the candidates only.
 */
final class Entmax15 {
  static final String RULE = "entmax15";
  static final String LOSS_RULE = "entmax15_loss";

  static {
    CustomGradients.define(
        RULE,
        (tf, node, up) -> {
          Operand<TNumber> p = (Operand<TNumber>) (Operand<?>) node.input(0);
          Operand<TNumber> g = (Operand<TNumber>) (Operand<?>) up.get(0);
          return List.of(CustomGradients.passThrough(node, 0), jvp(tf, tf.math.sqrt(p), g));
        });
    FenchelYoung.defineLossRule(LOSS_RULE, Entmax15::probabilities);
  }

  private Entmax15() {}

  static <T extends TNumber> Operand<T> lastAxis(Ops tf, Operand<T> x, SortStrategy strategy) {
    Operand<T> xs = tf.stopGradient(x);
    Optional<NativeKernels> fused =
        strategy == SortStrategy.BOUNDED_TOP_K ? Kernels.forScope(tf) : Optional.empty();
    Operand<T> t =
        fused.isPresent()
            ? tf.expandDims(fused.get().threshold(tf, xs, NativeKernels.Sparse.ENTMAX15), G.last(tf))
            : thresholdOfX(tf, threshold(tf, xs, G.maxLast(tf, xs), strategy));
    Operand<T> p = probabilities(tf, xs, t);
    return CustomGradients.apply(tf, RULE, p, List.of(x), Map.of());
  }

  /** p = max(x/2 - t, 0)^2 for the threshold t in units of x/2. */
  static <T extends TNumber> Operand<T> probabilities(Ops tf, Operand<T> x, Operand<T> t) {
    Operand<T> d = tf.math.sub(tf.math.mul(x, G.scalar(tf, 0.5, x)), t);
    return tf.math.square(tf.math.maximum(d, tf.zerosLike(d)));
  }

  /** The threshold in units of x/2: max/2 + tau. */
  private static <T extends TNumber> Operand<T> thresholdOfX(Ops tf, Threshold<T> th) {
    return tf.math.add(tf.math.mul(th.shift(), G.scalar(tf, 0.5, th.shift())), th.tau());
  }

  /** The threshold for logits x (gradient stopped); candidates and tau in units of (x - max)/2. */
  static <T extends TNumber> Threshold<T> threshold(
      Ops tf, Operand<T> x, Operand<T> rowMax, SortStrategy strategy) {
    Operand<T> m = Softmax.finite(tf, rowMax);
    Operand<T> half = G.scalar(tf, 0.5, x);
    Operand<T> top =
        tf.math.mul(
            tf.math.sub(Candidates.sortedTop(tf, x, m, G.scalar(tf, 2.0, x), strategy), m), half);
    // candidates <= -1 are never in the support (p <= 1 gives tau >= -1): keep them, and -inf
    // masks, out of the prefix sums, where -inf would give inf - inf
    Operand<TBool> valid = tf.math.greater(top, G.scalar(tf, -1.0, x));
    Operand<T> t = G.where0(tf, valid, top);
    Operand<T> j = Candidates.ranks(tf, top);
    Operand<T> mean = tf.math.div(tf.math.cumsum(t, G.last(tf)), j);
    Operand<T> meanSq = tf.math.div(tf.math.cumsum(tf.math.square(t), G.last(tf)), j);
    Operand<T> tauJ = tauFromMoments(tf, mean, meanSq, j);
    Operand<TBool> in = tf.math.logicalAnd(valid, tf.math.lessEqual(tauJ, top));
    Operand<T> size = G.sumLast(tf, tf.dtypes.cast(in, x.type()));
    Operand<T> tau0 = G.sumLast(tf, G.where0(tf, tf.math.equal(j, size), tauJ));
    // recompute from plain sums over the support
    Operand<TBool> support = tf.math.logicalAnd(valid, tf.math.greater(top, tau0));
    Operand<T> n = G.sumLast(tf, tf.dtypes.cast(support, x.type()));
    Operand<T> safeN = Softmax.nonZero(tf, n);
    Operand<T> zs = G.where0(tf, support, top);
    Operand<T> m1 = tf.math.div(G.sumLast(tf, zs), safeN);
    Operand<T> m2 = tf.math.div(G.sumLast(tf, tf.math.square(zs)), safeN);
    Operand<T> tau = tauFromMoments(tf, m1, m2, safeN);
    // a row that is all -inf has no support: tau 0 keeps its p at 0
    tau = G.where0(tf, tf.math.greater(n, tf.zerosLike(n)), tau);
    return new Threshold<>(top, tau, m);
  }

  /** The root tau &lt; mean of sum_{support} (z - tau)^2 = 1 from the support's moments. */
  private static <T extends TNumber> Operand<T> tauFromMoments(
      Ops tf, Operand<T> mean, Operand<T> meanSq, Operand<T> n) {
    Operand<T> variance = tf.math.sub(meanSq, tf.math.square(mean));
    Operand<T> delta = tf.math.sub(tf.math.reciprocal(n), variance);
    return tf.math.sub(mean, tf.math.sqrt(tf.math.maximum(delta, tf.zerosLike(delta))));
  }

  /** Per-row 1.5-entmax loss of [R, M] logits z. */
  static <T extends TNumber> Operand<T> loss(
      Ops tf, Operand<T> z, Operand<T> rowMax, Labels<?> labels) {
    Optional<NativeKernels> fused = Kernels.forScope(tf);
    if (fused.isPresent()) {
      return fused.get().fenchelYoungLoss(tf, z, labels.safe, NativeKernels.Sparse.ENTMAX15);
    }
    Operand<T> zs = tf.stopGradient(z);
    Threshold<T> th = threshold(tf, zs, rowMax, SortStrategy.BOUNDED_TOP_K);
    Operand<T> d = tf.math.sub(th.top(), th.tau());
    Operand<T> pTop = tf.math.square(tf.math.maximum(d, tf.zerosLike(d)));
    Operand<T> zTop = tf.math.mul(th.top(), G.scalar(tf, 2.0, zs)); // x - max
    return FenchelYoung.candidateLoss(
        tf, LOSS_RULE, z, th.shift(), pTop, zTop, Entropies.tsallis15(tf, pTop),
        thresholdOfX(tf, th), labels);
  }

  /** dx = r g - (sum(r g)/sum(r)) r, the entmax Jacobian-vector product for weights r. */
  static <T extends TNumber> Operand<T> jvp(Ops tf, Operand<T> r, Operand<T> g) {
    Operand<T> rg = tf.math.mul(r, g);
    Operand<T> q = tf.math.div(G.sumLast(tf, rg), Softmax.nonZero(tf, G.sumLast(tf, r)));
    return tf.math.sub(rg, tf.math.mul(q, r));
  }
}
