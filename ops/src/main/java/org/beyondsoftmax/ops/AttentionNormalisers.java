package org.beyondsoftmax.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TFloating;

/**
 * Normalisers of attention scores over the key axis, as TF-Java graph ops: softmax, sparsemax,
 * α-entmax (α constant or learned per head), scalable softmax (ssmax, s learned per head),
 * softpick and sigmoid attention.
 *
 * <p><b>Scores</b>: float16, bfloat16, float32 or float64, any rank &gt;= 1, typically [B, H, Tq,
 * Tk]; the keys lie on the last axis, or on {@code axis} (negative counts from the end).
 * Half-precision scores are computed in float32 and cast back.
 *
 * <p><b>Masks</b>: a key is masked when its score is -inf or when {@code mask} (optional, null for
 * none) is false there. {@code mask} is boolean, true where the key takes part, and broadcasts to
 * the scores' shape without changing it: [Tq, Tk] for a causal mask, [B, 1, 1, Tk] for padding, or
 * the scores' own shape. A masked key gets weight exactly 0 and gradient exactly 0, and it does not
 * count in n, the number of keys of the row that take part. A row without keys (fully masked)
 * gives weights 0 and gradients 0 (also for α and s), never NaN. +inf and NaN scores are invalid.
 *
 * <p><b>Per-head parameters</b> (α of {@link #entmax(Ops, Operand, Operand, Operand, int)}, s of
 * {@link #ssmax(Ops, Operand, Operand, Operand, int)}): a tensor of the scores' dtype that
 * broadcasts to the scores' shape with size 1 on the key axis, as in the {@code entmax} package:
 * for [B, H, Tq, Tk] scores, [H, 1, 1] gives one value per head, [B, H, Tq, 1] one per row, a
 * scalar one for all. They are differentiable: a variable (or a function of one) trains them.
 *
 * <p><b>Gradients</b> are exact in graph mode ({@code tf.gradients}); the softmax, sparsemax and
 * entmax rows are those of {@link Mappings} (custom Jacobian-vector products; fused CPU kernels
 * where {@link Kernels} allows), ssmax, softpick and sigmoid attention are compositions of standard
 * ops.
 *
 * <p>Bad arguments throw {@link IllegalArgumentException} naming the parameter and its allowed
 * range when the graph is built; a tensor α below 1 fails the run with "alpha must be &gt;= 1".
 */
public final class AttentionNormalisers {
  /** The eps of {@link #softpick(Ops, Operand, Operand)}, as in Zuhri et al. 2025. */
  public static final double SOFTPICK_EPS = 1e-6;

  private AttentionNormalisers() {}

  /** Softmax over the keys: p_j = exp(z_j) / sum_k exp(z_k) over the keys that take part. */
  public static <T extends TFloating> Operand<T> softmax(
      Ops tf, Operand<T> scores, Operand<TBool> mask, int axis) {
    check(scores, mask, axis);
    Ops s = tf.withSubScope("softmaxAttention");
    return Mappings.softmax(s, AttentionRows.applyMask(s, scores, mask), axis);
  }

  public static <T extends TFloating> Operand<T> softmax(
      Ops tf, Operand<T> scores, Operand<TBool> mask) {
    return softmax(tf, scores, mask, -1);
  }

  /**
   * Sparsemax over the keys (Martins &amp; Astudillo 2016): p = max(z - τ, 0), sum(p) = 1; see
   * {@link Mappings#sparsemax(Ops, Operand, int)}, given the scores minus their row maximum (the
   * same mapping, exact in float32 also for scores of 1e8).
   */
  public static <T extends TFloating> Operand<T> sparsemax(
      Ops tf, Operand<T> scores, Operand<TBool> mask, int axis) {
    check(scores, mask, axis);
    Ops s = tf.withSubScope("sparsemaxAttention");
    Operand<T> z = AttentionRows.applyMask(s, scores, mask);
    return Mappings.sparsemax(s, z, axis);
  }

  public static <T extends TFloating> Operand<T> sparsemax(
      Ops tf, Operand<T> scores, Operand<TBool> mask) {
    return sparsemax(tf, scores, mask, -1);
  }

  /**
   * α-entmax over the keys with a constant α (Peters, Niculae &amp; Martins 2019):
   * p = max((α - 1) z - τ, 0)^(1/(α - 1)), sum(p) = 1. α = 1 is softmax, α = 1.5 the exact
   * sort-based 1.5-entmax ({@link Mappings#entmax15(Ops, Operand, int)}, given the scores minus
   * their row maximum as for {@link #sparsemax}), α = 2 sparsemax; any other α is found by
   * bisection ({@link Mappings#entmaxBisect(Ops, Operand, double, int)}).
   *
   * @param alpha finite and &gt;= 1
   */
  public static <T extends TFloating> Operand<T> entmax(
      Ops tf, Operand<T> scores, Operand<TBool> mask, double alpha, int axis) {
    check(scores, mask, axis);
    Checks.finite("alpha", alpha);
    if (alpha < 1) {
      throw new IllegalArgumentException(
          "alpha must be >= 1 (1 softmax, 1.5 exact 1.5-entmax, 2 sparsemax), got " + alpha);
    }
    Ops s = tf.withSubScope("entmaxAttention");
    Operand<T> z = AttentionRows.applyMask(s, scores, mask);
    if (alpha == 1) {
      return Mappings.softmax(s, z, axis);
    } else if (alpha == 1.5) {
      return Mappings.entmax15(s, z, axis);
    } else if (alpha == 2) {
      return Mappings.sparsemax(s, z, axis);
    }
    return Mappings.entmaxBisect(s, z, alpha, axis);
  }

  public static <T extends TFloating> Operand<T> entmax(
      Ops tf, Operand<T> scores, Operand<TBool> mask, double alpha) {
    return entmax(tf, scores, mask, alpha, -1);
  }

  /**
   * α-entmax over the keys with α a tensor, e.g. one learned value per head (Correia, Niculae
   * &amp; Martins 2019, "Adaptively Sparse Transformers"), by bisection
   * ({@link Mappings#entmaxBisect(Ops, Operand, Operand, int)}). Differentiable in the scores and
   * in α: dα = sum_j g_j [(p_j - r~_j)/(α-1)^2 - (p_j log p_j - r~_j sum_k p_k log p_k)/(α-1)],
   * r~ = p^(2-α)/sum p^(2-α), summed over the rows that share a value. A model that learns α in
   * (1, 2) keeps it there itself, e.g. α = 1 + sigmoid(a).
   *
   * @param scores of known rank
   * @param alpha &gt;= 1 (checked when the graph runs), the scores' dtype, broadcasting to the
   *     scores' shape with size 1 on the key axis: [H, 1, 1] per head of [B, H, Tq, Tk] scores
   */
  public static <T extends TFloating> Operand<T> entmax(
      Ops tf, Operand<T> scores, Operand<TBool> mask, Operand<T> alpha, int axis) {
    int a = check(scores, mask, axis);
    if (scores.shape().isUnknown()) {
      throw new IllegalArgumentException(
          "scores must have a known rank when alpha is a tensor (a constant alpha takes any)");
    }
    AttentionRows.checkPerRow("alpha", alpha, scores, a);
    Ops s = tf.withSubScope("entmaxAttention");
    Operand<T> z = AttentionRows.applyMask(s, scores, mask);
    Operand<T> rows = AttentionRows.perRow(s, alpha, scores, a);
    return Mappings.entmaxBisect(s, z, rows, axis);
  }

  public static <T extends TFloating> Operand<T> entmax(
      Ops tf, Operand<T> scores, Operand<TBool> mask, Operand<T> alpha) {
    return entmax(tf, scores, mask, alpha, -1);
  }

  /**
   * Scalable softmax (Nakanishi 2025, "Scalable-Softmax Is Superior for Attention"):
   * p = softmax(s log(n) z) over the keys that take part, n their number per row, so that the
   * largest weight does not fade as n grows. A row with one key gives it weight 1.
   * Differentiable in the scores and in s: ds = log(n) sum_j z_j (dL/du_j), u = s log(n) z.
   *
   * @param s the scores' dtype, broadcasting to the scores' shape with size 1 on the key axis:
   *     [H, 1, 1] for one value per head of [B, H, Tq, Tk] scores (not checked for sign)
   */
  public static <T extends TFloating> Operand<T> ssmax(
      Ops tf, Operand<T> scores, Operand<TBool> mask, Operand<T> s, int axis) {
    int a = check(scores, mask, axis);
    AttentionRows.checkPerRow("s", s, scores, a);
    Ops o = tf.withSubScope("ssmax");
    ClassAxis ax = ClassAxis.of(o, scores, axis);
    Operand<T> z = ax.toLast(AttentionRows.applyMask(o, scores, mask));
    Operand<T> sRows = s.shape().numDimensions() == 0
        ? ax.compute(s) : ax.toLast(AttentionRows.perRow(o, s, scores, a));
    Operand<TBool> keys = AttentionRows.keys(o, z);
    Operand<T> scale =
        o.math.mul(sRows, AttentionRows.logCount(o, AttentionRows.count(o, keys, z)));
    // masked keys: -inf again after scaling (0 * -inf would be NaN for rows with n = 1)
    Operand<T> u = o.select(keys, o.math.mul(scale, AttentionRows.orZero(o, keys, z)),
        AttentionRows.scalar(o, Double.NEGATIVE_INFINITY, z));
    return ax.restore(Mappings.softmax(o, u, -1));
  }

  /**
   * Scalable softmax with a constant s.
   *
   * @param s finite and &gt; 0
   */
  public static <T extends TFloating> Operand<T> ssmax(
      Ops tf, Operand<T> scores, Operand<TBool> mask, double s, int axis) {
    check(scores, mask, axis);
    Checks.positive("s", s);
    return ssmax(tf, scores, mask, AttentionRows.scalar(tf, s, scores), axis);
  }

  public static <T extends TFloating> Operand<T> ssmax(
      Ops tf, Operand<T> scores, Operand<TBool> mask, Operand<T> s) {
    return ssmax(tf, scores, mask, s, -1);
  }

  public static <T extends TFloating> Operand<T> ssmax(
      Ops tf, Operand<T> scores, Operand<TBool> mask, double s) {
    return ssmax(tf, scores, mask, s, -1);
  }

  /**
   * Softpick (Zuhri, Fuadi &amp; Aji 2025, "Softpick: No Attention Sink, No Massive Activations
   * with Rectified Softmax"): p_j = relu(e^z_j - 1) / (sum_k |e^z_k - 1| + eps) over the keys that
   * take part; weights lie in [0, 1] and sum to at most 1 (0 when no score is positive). Computed
   * with the shift m = max(0, max_j z_j): p_j = relu(e^(z_j - m) - e^-m) / (sum_k |e^(z_k - m) -
   * e^-m| + eps e^-m), which neither overflows nor changes the value.
   *
   * @param eps finite and &gt;= 0; at 0 a row whose keys all score 0 gives weights 0
   */
  public static <T extends TFloating> Operand<T> softpick(
      Ops tf, Operand<T> scores, Operand<TBool> mask, double eps, int axis) {
    check(scores, mask, axis);
    if (!(eps >= 0) || Double.isInfinite(eps)) {
      throw new IllegalArgumentException("eps must be finite and >= 0, got " + eps);
    }
    Ops o = tf.withSubScope("softpick");
    ClassAxis ax = ClassAxis.of(o, scores, axis);
    Operand<T> z = ax.toLast(AttentionRows.applyMask(o, scores, mask));
    // masked keys score 0 here: e^(0 - m) - e^-m is exactly 0, so they add nothing below
    Operand<T> zs = AttentionRows.orZero(o, AttentionRows.keys(o, z), z);
    Operand<T> zero = AttentionRows.scalar(o, 0.0, z);
    Operand<T> m = o.math.maximum(
        o.reduceMax(o.stopGradient(zs), o.constant(-1), ReduceMax.keepDims(true)), zero);
    Operand<T> em = o.math.exp(o.math.neg(m));
    Operand<T> u = o.math.sub(o.math.exp(o.math.sub(zs, m)), em);
    Operand<T> den = o.math.add(
        o.reduceSum(o.math.abs(u), o.constant(-1), ReduceSum.keepDims(true)),
        o.math.mul(AttentionRows.scalar(o, eps, z), em));
    den = o.select(o.math.equal(den, zero), AttentionRows.scalar(o, 1.0, z), den);
    return ax.restore(o.math.div(o.nn.relu(u), den));
  }

  public static <T extends TFloating> Operand<T> softpick(
      Ops tf, Operand<T> scores, Operand<TBool> mask, double eps) {
    return softpick(tf, scores, mask, eps, -1);
  }

  /** Softpick with eps = {@value #SOFTPICK_EPS} on the last axis. */
  public static <T extends TFloating> Operand<T> softpick(
      Ops tf, Operand<T> scores, Operand<TBool> mask) {
    return softpick(tf, scores, mask, SOFTPICK_EPS, -1);
  }

  /**
   * Sigmoid attention (Ramapuram et al. 2024, "Theory, Analysis, and Best Practices for Sigmoid
   * Self-Attention"): p_j = sigmoid(z_j + b), b = -log n with n the number of keys of the row that
   * take part; masked keys 0. The weights are not normalised: they lie in (0, 1) and sum to about
   * 1 for scores near 0.
   */
  public static <T extends TFloating> Operand<T> sigmoid(
      Ops tf, Operand<T> scores, Operand<TBool> mask, int axis) {
    check(scores, mask, axis);
    Ops o = tf.withSubScope("sigmoidAttention");
    ClassAxis ax = ClassAxis.of(o, scores, axis);
    Operand<T> z = ax.toLast(AttentionRows.applyMask(o, scores, mask));
    Operand<TBool> keys = AttentionRows.keys(o, z);
    Operand<T> b = AttentionRows.logCount(o, AttentionRows.count(o, keys, z));
    return ax.restore(AttentionRows.orZero(o, keys, o.math.sigmoid(o.math.sub(z, b))));
  }

  public static <T extends TFloating> Operand<T> sigmoid(
      Ops tf, Operand<T> scores, Operand<TBool> mask) {
    return sigmoid(tf, scores, mask, -1);
  }

  /** Checks scores, axis and mask, in that order; returns the non-negative axis (or -1). */
  private static int check(Operand<?> scores, Operand<TBool> mask, int axis) {
    int a = AttentionRows.checkScores(scores, axis);
    AttentionRows.checkMask(mask, scores);
    return a;
  }
}
