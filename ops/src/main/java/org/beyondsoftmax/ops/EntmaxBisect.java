package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * alpha-entmax by bisection (Peters, Niculae &amp; Martins 2019; Blondel et al. 2020) on the last
 * axis: p = max((alpha - 1) x - tau, 0)^(1/(alpha - 1)), tau found by bisection so that sum(p) = 1,
 * then p renormalised. alpha = 1 is softmax, alpha = 2 sparsemax. alpha is a tensor of shape
 * [.., 1] (broadcast per row) and is differentiable.
 *
 * <p>The bisection runs on the sorted candidates z &gt; -1 only (z = (alpha - 1)(x - max x); the
 * support never reaches below -1), so its cost follows the support, not the row length.
 *
 * <p>Its regulariser is the Tsallis alpha-entropy ({@link Entropies#tsallis}), differentiable in
 * alpha, so the Fenchel-Young losses of {@link ThresholdMapping} also train alpha.
 *
 * <p>Gradient (custom), with r = p^(2 - alpha) on the support: dx = r g - (sum(r g)/sum(r)) r and
 * d alpha = sum g [ (p - r~)/(alpha-1)^2 - (p log p - r~ sum(p log p))/(alpha - 1) ], r~ =
 * r/sum(r) (as in the entmax package). At alpha = 1 exactly the alpha-gradient is reported as 0.
 *
 * <p>With a {@link NativeKernels} provider (see {@link Kernels}) the fused kernel computes the
 * threshold by safeguarded Halley iterations on the same candidates instead.
 */
final class EntmaxBisect extends ThresholdMapping {
  static final String RULE = "entmax_bisect";

  static {
    CustomGradients.define(RULE, EntmaxBisect::ruleGradient);
  }

  /** The gradients of the rule {@link #RULE}. */
  private static List<Operand<?>> ruleGradient(Ops tf, GraphOperation node, List<Output<?>> up) {
    Operand<TNumber> p = CustomGradients.input(node, 0);
    Operand<TNumber> alpha = CustomGradients.input(node, 2);
    Operand<TNumber> g = CustomGradients.upstream(up, 0);
    return gradients(tf, node.input(0), p, alpha, g);
  }

  private final Operand<?> alpha;

  /** @param alpha shape [.., 1] broadcastable over the rows of x (or a scalar), x's dtype */
  EntmaxBisect(Operand<?> alpha) {
    this.alpha = alpha;
  }

  @SuppressWarnings("unchecked")
  private <T extends TNumber> Operand<T> alpha() {
    return (Operand<T>) alpha;
  }

  @Override
  <T extends TNumber> Operand<T> entropy(Ops tf, Operand<T> p) {
    return Entropies.tsallis(tf, p, alpha());
  }

  /**
   * The loss with labels: the fused kernel when {@link Kernels} allows (its alpha-gradient is
   * dH_alpha(p)/dalpha), else the dense Fenchel-Young form.
   */
  @Override
  <T extends TNumber> Operand<T> labelLoss(
      Ops tf, Operand<T> z, Operand<T> rowMax, Labels<?> labels) {
    Optional<NativeKernels> fused = Kernels.forScope(tf);
    if (fused.isPresent()) {
      Operand<T> a = alpha();
      // the kernel takes one alpha or one per row, [R]
      Operand<T> perRow = a.shape().numDimensions() == 0 ? a : tf.reshape(a, tf.constant(new int[] {-1}));
      return fused.get().entmaxBisectLoss(tf, z, labels.safe, perRow);
    }
    return super.labelLoss(tf, z, rowMax, labels);
  }

  /**
   * The strategy is ignored: the bisection always runs on the bounded candidates; the fused
   * kernel (Halley iterations on the same candidates) when {@link Kernels} allows.
   */
  @Override
  <T extends TNumber> Operand<T> lastAxis(Ops tf, Operand<T> x, SortStrategy strategy) {
    Operand<T> alpha = alpha();
    Optional<NativeKernels> fused = Kernels.forScope(tf);
    if (fused.isPresent()) {
      return fused.get().entmaxBisect(tf, x, alpha);
    }
    Operand<T> xs = tf.stopGradient(x);
    Operand<T> a = tf.stopGradient(alpha);
    Operand<T> one = Rows.scalar(tf, 1.0, xs);
    Operand<TBool> isSoftmax = tf.math.equal(a, one);
    // alpha - 1, with alpha = 1 rows computed as sparsemax and replaced by softmax below
    Operand<T> am1 = tf.select(isSoftmax, one, tf.math.sub(a, one));
    Operand<T> m = Rows.safeMax(tf, xs);
    Operand<T> top = Candidates.sortedTop(tf, xs, m, tf.math.reciprocal(am1), SortStrategy.BOUNDED_TOP_K);
    Operand<T> tau = bisect(tf, tf.math.mul(tf.math.sub(top, m), am1), am1, Rows.lastDim(tf, xs));
    Operand<T> p = pow(tf, tf.math.sub(tf.math.mul(tf.math.sub(xs, m), am1), tau), am1);
    p = tf.math.mul(p, tf.math.reciprocal(Rows.nonZero(tf, Rows.sumLast(tf, p))));
    p = tf.select(isSoftmax, Softmax.softmax(tf, xs), p);
    Operand<T> alphaRows = tf.math.add(tf.zerosLike(m), alpha);
    return CustomGradients.apply(tf, RULE, p, List.of(x, alphaRows), Map.of());
  }

  private static <T extends TNumber> Operand<T> pow(Ops tf, Operand<T> t, Operand<T> am1) {
    return Rows.pow(tf, Rows.positive(tf, t), tf.math.reciprocal(am1));
  }

  /**
   * tau with sum_j max(z_j - tau, 0)^(1/(alpha-1)) = 1 by bisection on [-1, -(1/d)^(alpha-1)], for
   * the sorted candidates z = (alpha - 1)(x - max x) of rows of length d.
   */
  private static <T extends TNumber> Operand<T> bisect(
      Ops tf, Operand<T> z, Operand<T> am1, Operand<TInt32> rowLength) {
    Operand<T> one = Rows.scalar(tf, 1.0, z);
    Operand<T> d = tf.dtypes.cast(rowLength, z.type());
    Operand<T> lo = tf.math.sub(tf.zerosLike(Rows.maxLast(tf, z)), one);
    Operand<T> hi = tf.math.neg(tf.math.pow(tf.math.reciprocal(d), am1));
    Operand<T> width = tf.math.sub(hi, lo);
    int iterations = z.type() == TFloat64.class ? 54 : 26;
    Operand<T> half = Rows.scalar(tf, 0.5, z);
    for (int i = 0; i < iterations; i++) {
      width = tf.math.mul(width, half);
      Operand<T> mid = tf.math.add(lo, width);
      Operand<T> mass = Rows.sumLast(tf, pow(tf, tf.math.sub(z, mid), am1));
      lo = tf.select(tf.math.greaterEqual(mass, one), mid, lo);
    }
    return lo;
  }

  private static <T extends TNumber> List<Operand<?>> gradients(
      Ops tf, Operand<?> in0, Operand<T> p, Operand<T> alpha, Operand<T> g) {
    Operand<T> one = Rows.scalar(tf, 1.0, p);
    Operand<TBool> on = tf.math.greater(p, tf.zerosLike(p));
    Operand<TBool> isSoftmax = tf.math.equal(alpha, one);
    Operand<T> am1 = tf.select(isSoftmax, one, tf.math.sub(alpha, one));
    Operand<T> safeP = tf.select(on, p, Rows.scalar(tf, 1.0, p));
    Operand<T> two = Rows.scalar(tf, 2.0, p);
    Operand<T> r = Rows.where0(tf, on, Rows.pow(tf, safeP, tf.math.sub(two, alpha)));
    Operand<T> dx = weightedJvp(tf, r, g);
    Operand<T> plogp = Rows.where0(tf, on, tf.math.mul(p, tf.math.log(safeP)));
    Operand<T> entropyTerm = Rows.sumLast(tf, plogp);
    Operand<T> skew = tf.math.div(r, Rows.nonZero(tf, Rows.sumLast(tf, r))); // 0 in a row without support
    Operand<T> t1 = tf.math.div(tf.math.sub(p, skew), tf.math.square(am1));
    Operand<T> t2 = tf.math.div(tf.math.sub(plogp, tf.math.mul(skew, entropyTerm)), am1);
    Operand<T> dAlpha = Rows.sumLast(tf, tf.math.mul(g, tf.math.sub(t1, t2)));
    dAlpha = tf.select(isSoftmax, tf.zerosLike(dAlpha), dAlpha);
    return List.of(in0, dx, dAlpha);
  }
}
