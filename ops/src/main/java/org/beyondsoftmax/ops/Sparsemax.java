package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * Sparsemax (Martins &amp; Astudillo 2016) on the last axis: p = max(x - tau, 0) with sum(p) = 1.
 *
 * <p>Threshold: over the sorted candidates z (x - max x, see {@link Candidates}),
 * tau = max_j (c_j - 1)/j with c_j the prefix sums (the maximiser is the support size), then
 * recomputed with a plain sum over the support, tau = (sum_{z &gt; tau} z - 1)/#{z &gt; tau}, so
 * rows with thousands of support entries stay exact. Gradient (custom):
 * dx = s (g - sum(s g)/sum(s)), s = 1[p &gt; 0]. Loss (Fenchel-Young): L = sum_j p_j z_j +
 * (1 - sum_j p_j^2)/2 - z_y, computed on the candidates only; its gradient is p - onehot(y).
 */
final class Sparsemax {
  static final String RULE = "sparsemax";
  static final String LOSS_RULE = "sparsemax_loss";

  static {
    CustomGradients.define(
        RULE,
        (tf, node, up) -> {
          Operand<TNumber> p = (Operand<TNumber>) (Operand<?>) node.input(0);
          Operand<TNumber> g = (Operand<TNumber>) (Operand<?>) up.get(0);
          return List.of(CustomGradients.passThrough(node, 0), jvp(tf, p, g));
        });
    FenchelYoung.defineLossRule(LOSS_RULE, Sparsemax::probabilities);
  }

  private Sparsemax() {}

  static <T extends TNumber> Operand<T> lastAxis(Ops tf, Operand<T> x, SortStrategy strategy) {
    Operand<T> xs = tf.stopGradient(x);
    Optional<NativeKernels> fused =
        strategy == SortStrategy.BOUNDED_TOP_K ? Kernels.forScope(tf) : Optional.empty();
    Operand<T> t;
    if (fused.isPresent()) {
      t = tf.expandDims(fused.get().threshold(tf, xs, NativeKernels.Sparse.SPARSEMAX), G.last(tf));
    } else {
      Threshold<T> th = threshold(tf, xs, G.maxLast(tf, xs), strategy);
      t = tf.math.add(th.shift(), th.tau());
    }
    Operand<T> p = probabilities(tf, xs, t);
    return CustomGradients.apply(tf, RULE, p, List.of(x), Map.of());
  }

  /** p = max(x - t, 0) for the threshold t in the units of x. */
  static <T extends TNumber> Operand<T> probabilities(Ops tf, Operand<T> x, Operand<T> t) {
    Operand<T> d = tf.math.sub(x, t);
    return tf.math.maximum(d, tf.zerosLike(d));
  }

  /** The threshold of sparsemax for logits x (gradient stopped) with row maximum rowMax. */
  static <T extends TNumber> Threshold<T> threshold(
      Ops tf, Operand<T> x, Operand<T> rowMax, SortStrategy strategy) {
    Operand<T> m = Softmax.finite(tf, rowMax);
    Operand<T> one = G.scalar(tf, 1.0, x);
    Operand<T> top = tf.math.sub(Candidates.sortedTop(tf, x, m, one, strategy), m);
    Operand<T> cum = tf.math.cumsum(top, G.last(tf));
    Operand<T> tau0 =
        G.maxLast(tf, tf.math.div(tf.math.sub(cum, one), Candidates.ranks(tf, top)));
    Operand<TBool> support = tf.math.greater(top, tau0);
    Operand<T> n = G.sumLast(tf, tf.dtypes.cast(support, top.type()));
    Operand<T> sum = G.sumLast(tf, G.where0(tf, support, top));
    Operand<T> tau = tf.math.div(tf.math.sub(sum, one), Softmax.nonZero(tf, n));
    // a row that is all -inf has no support: tau 0 keeps its p at 0
    tau = G.where0(tf, tf.math.greater(n, tf.zerosLike(n)), tau);
    return new Threshold<>(top, tau, m);
  }

  /** Per-row sparsemax loss of [R, M] logits z. */
  static <T extends TNumber> Operand<T> loss(
      Ops tf, Operand<T> z, Operand<T> rowMax, Labels<?> labels) {
    Optional<NativeKernels> fused = Kernels.forScope(tf);
    if (fused.isPresent()) {
      return fused.get().fenchelYoungLoss(tf, z, labels.safe, NativeKernels.Sparse.SPARSEMAX);
    }
    Operand<T> zs = tf.stopGradient(z);
    Threshold<T> th = threshold(tf, zs, rowMax, SortStrategy.BOUNDED_TOP_K);
    Operand<T> pTop = probabilities(tf, th.top(), th.tau());
    return FenchelYoung.candidateLoss(
        tf, LOSS_RULE, z, th.shift(), pTop, th.top(), Entropies.gini(tf, pTop),
        tf.math.add(th.shift(), th.tau()), labels);
  }

  /** Jacobian-vector product of sparsemax at output p: s (g - sum(s g)/sum(s)). */
  static <T extends TNumber> Operand<T> jvp(Ops tf, Operand<T> p, Operand<T> g) {
    Operand<TBool> s = tf.math.greater(p, tf.zerosLike(p));
    Operand<T> sf = tf.dtypes.cast(s, p.type());
    Operand<T> mean =
        tf.math.div(G.sumLast(tf, tf.math.mul(g, sf)), Softmax.nonZero(tf, G.sumLast(tf, sf)));
    return tf.math.mul(tf.math.sub(g, mean), sf);
  }
}
