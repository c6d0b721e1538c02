package org.beyondsoftmax.ops;

import java.util.function.BiFunction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * Mappings from scores to probabilities (or log-probabilities) as TF-Java graph ops.
 *
 * <p>All mappings take float16, bfloat16, float32 or float64 logits of any rank &gt;= 1 and a class
 * {@code axis} (negative counts from the end; the overloads without it use the last axis);
 * half-precision inputs are computed in float32 and cast back. Every mapping has an exact gradient
 * in graph mode ({@code tf.gradients}).
 *
 * <p>Masks: a -inf entry gives exactly the result of dropping it (probability 0, log-probability
 * -inf, zero gradient, no NaN). A row that is entirely -inf has no distribution: its probabilities
 * are all 0 (log-probabilities all -inf) and its gradient is 0. +inf and NaN inputs are invalid.
 *
 * <p>Bad arguments throw {@link IllegalArgumentException} naming the parameter and its allowed
 * range, when the graph is built.
 *
 * <p>Softmax, log-softmax, sigsoftmax, log-sigsoftmax, sparsemax, 1.5-entmax, alpha-entmax and PLIF
 * build fused CPU kernels instead of composite graph ops when beyond-softmax-native is loaded; see
 * {@link Kernels} (and {@link Kernels#portable()} for graphs that must run anywhere).
 */
public final class Mappings {
  private Mappings() {}

  /** Softmax: p_i = exp(x_i) / sum_j exp(x_j), computed as exp(x_i - max x) / sum(...). */
  public static <T extends TFloating> Operand<T> softmax(Ops tf, Operand<T> x, int axis) {
    return softmaxFamily(tf, "softmax", x, axis, NativeKernels.SoftmaxMode.SOFTMAX);
  }

  public static <T extends TFloating> Operand<T> softmax(Ops tf, Operand<T> x) {
    return softmax(tf, x, -1);
  }

  /** Log-softmax: log p_i = x_i - max x - log sum_j exp(x_j - max x). */
  public static <T extends TFloating> Operand<T> logSoftmax(Ops tf, Operand<T> x, int axis) {
    return softmaxFamily(tf, "logSoftmax", x, axis, NativeKernels.SoftmaxMode.LOG_SOFTMAX);
  }

  public static <T extends TFloating> Operand<T> logSoftmax(Ops tf, Operand<T> x) {
    return logSoftmax(tf, x, -1);
  }

  /**
   * Sigsoftmax (Kanai et al. 2018, "Sigsoftmax: Reanalysis of the Softmax Bottleneck"):
   * p_i = exp(x_i) sigmoid(x_i) / sum_j exp(x_j) sigmoid(x_j).
   */
  public static <T extends TFloating> Operand<T> sigsoftmax(Ops tf, Operand<T> x, int axis) {
    return softmaxFamily(tf, "sigsoftmax", x, axis, NativeKernels.SoftmaxMode.SIGSOFTMAX);
  }

  public static <T extends TFloating> Operand<T> sigsoftmax(Ops tf, Operand<T> x) {
    return sigsoftmax(tf, x, -1);
  }

  /**
   * Log-sigsoftmax (Kanai et al. 2018), stable in log space: log_softmax(x + log sigmoid(x)), with
   * log sigmoid(x) = -softplus(-x).
   */
  public static <T extends TFloating> Operand<T> logSigsoftmax(Ops tf, Operand<T> x, int axis) {
    return softmaxFamily(tf, "logSigsoftmax", x, axis, NativeKernels.SoftmaxMode.LOG_SIGSOFTMAX);
  }

  public static <T extends TFloating> Operand<T> logSigsoftmax(Ops tf, Operand<T> x) {
    return logSigsoftmax(tf, x, -1);
  }

  /**
   * Sparsemax (Martins &amp; Astudillo 2016): the Euclidean projection of x onto the simplex,
   * p = max(x - tau, 0). See {@link SortStrategy} for how tau is found.
   */
  public static <T extends TFloating> Operand<T> sparsemax(
      Ops tf, Operand<T> x, int axis, SortStrategy strategy) {
    return onClassAxis(tf, "sparsemax", x, axis,
        (s, z) -> Sparsemax.INSTANCE.lastAxis(s, z, strategy));
  }

  public static <T extends TFloating> Operand<T> sparsemax(Ops tf, Operand<T> x, int axis) {
    return sparsemax(tf, x, axis, SortStrategy.BOUNDED_TOP_K);
  }

  public static <T extends TFloating> Operand<T> sparsemax(Ops tf, Operand<T> x) {
    return sparsemax(tf, x, -1);
  }

  /**
   * Exact 1.5-entmax (Peters, Niculae &amp; Martins 2019, "Sparse Sequence-to-Sequence Models"):
   * p = max(x/2 - tau, 0)^2 with sum(p) = 1, by a sorted threshold.
   */
  public static <T extends TFloating> Operand<T> entmax15(
      Ops tf, Operand<T> x, int axis, SortStrategy strategy) {
    return onClassAxis(tf, "entmax15", x, axis,
        (s, z) -> Entmax15.INSTANCE.lastAxis(s, z, strategy));
  }

  public static <T extends TFloating> Operand<T> entmax15(Ops tf, Operand<T> x, int axis) {
    return entmax15(tf, x, axis, SortStrategy.BOUNDED_TOP_K);
  }

  public static <T extends TFloating> Operand<T> entmax15(Ops tf, Operand<T> x) {
    return entmax15(tf, x, -1);
  }

  /**
   * alpha-entmax by bisection (Peters et al. 2019; Blondel, Martins &amp; Niculae 2020):
   * p = max((alpha - 1) x - tau, 0)^(1/(alpha - 1)), sum(p) = 1. alpha = 1 is softmax, alpha = 2
   * sparsemax. Differentiable in x and in alpha (so alpha can be learned).
   *
   * @param alpha &gt;= 1: a scalar, or one value per row (the shape of x without the class axis, or
   *     with size 1 there); same dtype as x
   */
  public static <T extends TFloating> Operand<T> entmaxBisect(
      Ops tf, Operand<T> x, Operand<T> alpha, int axis) {
    Ops s = tf.withSubScope("entmaxBisect");
    ClassAxis ax = ClassAxis.of(s, x, axis);
    return ax.restore(new EntmaxBisect(Alpha.rows(s, alpha, x, ax))
        .lastAxis(s, ax.toLast(x), SortStrategy.BOUNDED_TOP_K));
  }

  /** alpha-entmax with a constant alpha &gt;= 1. */
  public static <T extends TFloating> Operand<T> entmaxBisect(
      Ops tf, Operand<T> x, double alpha, int axis) {
    Checks.finite("alpha", alpha);
    if (alpha < 1) {
      throw new IllegalArgumentException("alpha must be >= 1, got " + alpha);
    }
    return entmaxBisect(tf, x, Rows.scalar(tf, alpha, x), axis);
  }

  public static <T extends TFloating> Operand<T> entmaxBisect(Ops tf, Operand<T> x, double alpha) {
    return entmaxBisect(tf, x, alpha, -1);
  }

  /**
   * Taylor softmax (de Brébisson &amp; Vincent 2016): p_i = f(x_i)/sum_j f(x_j),
   * f(x) = sum_{k=0..order} x^k/k!.
   *
   * @param order even and &gt;= 2 (an even-order Taylor polynomial of exp is positive)
   */
  public static <T extends TFloating> Operand<T> taylorSoftmax(
      Ops tf, Operand<T> x, int order, int axis) {
    checkOrder(order);
    return onClassAxis(tf, "taylorSoftmax", x, axis, (s, z) -> TaylorSoftmax.lastAxis(s, z, order));
  }

  public static <T extends TFloating> Operand<T> taylorSoftmax(Ops tf, Operand<T> x, int order) {
    return taylorSoftmax(tf, x, order, -1);
  }

  /**
   * Top-k softmax: softmax over the k largest entries of each row, exactly 0 elsewhere (entries
   * tied with the k-th largest are kept).
   *
   * @param k &gt;= 1; larger than the axis means the whole axis
   */
  public static <T extends TFloating> Operand<T> topKSoftmax(
      Ops tf, Operand<T> x, int k, int axis) {
    Checks.atLeast("k", k, 1);
    return onClassAxis(tf, "topKSoftmax", x, axis, (s, z) -> TopKSoftmax.lastAxis(s, z, k));
  }

  public static <T extends TFloating> Operand<T> topKSoftmax(Ops tf, Operand<T> x, int k) {
    return topKSoftmax(tf, x, k, -1);
  }

  /**
   * Gumbel-softmax (Jang, Gu &amp; Poole 2017; Maddison, Mnih &amp; Teh 2017):
   * y = softmax((x + G)/tau), G iid Gumbel(0, 1). When {@code hard}, y is the one-hot of its argmax
   * in the forward pass with the gradient of the soft y (straight-through).
   *
   * @param tau temperature &gt; 0
   * @param seed graph-level seed of the noise (a stateful RandomUniform)
   */
  public static <T extends TFloating> Operand<T> gumbelSoftmax(
      Ops tf, Operand<T> x, double tau, boolean hard, long seed, int axis) {
    Checks.positive("tau", tau);
    return onClassAxis(tf, "gumbelSoftmax", x, axis,
        (s, z) -> Gumbel.softmax(s, z, tau, hard, seed));
  }

  public static <T extends TFloating> Operand<T> gumbelSoftmax(
      Ops tf, Operand<T> x, double tau, boolean hard, long seed) {
    return gumbelSoftmax(tf, x, tau, hard, seed, -1);
  }

  /**
   * Perturb-and-MAP / Gumbel-max sampling (Gumbel 1954; Papandreou &amp; Yuille 2011): the class
   * index argmax_i(x_i + G_i), an exact sample from softmax(x). Shape: x without the class axis.
   */
  public static <T extends TFloating> Operand<TInt32> perturbedArgmax(
      Ops tf, Operand<T> x, long seed, int axis) {
    Ops s = tf.withSubScope("perturbedArgmax");
    ClassAxis ax = ClassAxis.of(s, x, axis);
    return Gumbel.argmaxSample(s, ax.toLast(x), seed);
  }

  public static <T extends TFloating> Operand<TInt32> perturbedArgmax(
      Ops tf, Operand<T> x, long seed) {
    return perturbedArgmax(tf, x, seed, -1);
  }

  /**
   * The LMS-PLIF increasing piecewise-linear function (Ganea et al. 2019), elementwise: K =
   * size(slopesRaw) intervals of width delta = 2T/K on [-T, T], slopes softplus(slopesRaw),
   * f(x) = s_i (x + T - i delta) + delta sum_{j&lt;i} s_j with i = clamp(floor((x+T)/delta), 0,
   * K-1); linear beyond +-T. Differentiable in x and slopesRaw; memory O(K + |x|).
   *
   * @param slopesRaw rank 1, K &gt;= 1 raw slopes, same dtype as x
   * @param range T, finite and &gt; 0
   */
  public static <T extends TFloating> Operand<T> plif(
      Ops tf, Operand<T> x, Operand<T> slopesRaw, double range) {
    Checks.positive("range", range);
    Checks.floating("x", x);
    Checks.floating("slopesRaw", slopesRaw);
    Checks.sameType("slopesRaw", slopesRaw, "x", x);
    var shape = slopesRaw.shape();
    if (!shape.isUnknown()) {
      if (shape.numDimensions() != 1) {
        throw new IllegalArgumentException(
            "slopesRaw must have rank 1 (one raw slope per interval), got shape " + shape);
      }
      if (shape.get(0) == 0) {
        throw new IllegalArgumentException("slopesRaw must have >= 1 entries (knots), got 0");
      }
    }
    Ops s = tf.withSubScope("plif");
    ClassAxis ax = ClassAxis.of(s, x, -1);
    return ax.restore(Plif.apply(s, ax.toLast(x), ax.toLast(slopesRaw), range));
  }

  /**
   * Log of a mixture of softmaxes (Yang et al. 2018):
   * log p_j = logsumexp_k(log_softmax(priorLogits)_k + log_softmax(componentLogits_k)_j).
   *
   * @param componentLogits [.., K, M]: components on the axis right before the class axis
   * @param priorLogits [.., K]: componentLogits' shape without the class axis
   * @param axis the class axis of componentLogits; the component axis is axis - 1
   * @return [.., M] log-probabilities
   */
  public static <T extends TFloating> Operand<T> logMixtureOfSoftmaxes(
      Ops tf, Operand<T> componentLogits, Operand<T> priorLogits, int axis) {
    Checks.floating("componentLogits", componentLogits);
    Checks.floating("priorLogits", priorLogits);
    int rank = componentLogits.shape().numDimensions();
    if (rank >= 0 && rank < 2) {
      throw new IllegalArgumentException(
          "componentLogits must have rank >= 2 ([.., K, M]), got shape "
              + componentLogits.shape());
    }
    int a = Checks.axis("axis", axis, componentLogits);
    if (a != -1 && a != rank - 1) {
      throw new IllegalArgumentException(
          "axis must be the last axis of componentLogits ([.., K, M]), got " + axis);
    }
    Checks.labelShape("priorLogits", priorLogits, componentLogits, a < 0 ? rank - 1 : a);
    Ops s = tf.withSubScope("logMixtureOfSoftmaxes");
    ClassAxis ax = ClassAxis.of(s, componentLogits, -1);
    return ax.restore(
        MixtureOfSoftmaxes.logLastAxis(s, ax.toLast(componentLogits), ax.toLast(priorLogits)));
  }

  public static <T extends TFloating> Operand<T> logMixtureOfSoftmaxes(
      Ops tf, Operand<T> componentLogits, Operand<T> priorLogits) {
    return logMixtureOfSoftmaxes(tf, componentLogits, priorLogits, -1);
  }

  private static <T extends TFloating> Operand<T> softmaxFamily(
      Ops tf, String name, Operand<T> x, int axis, NativeKernels.SoftmaxMode mode) {
    return onClassAxis(tf, name, x, axis, (s, z) -> Softmax.family(s, z, mode));
  }

  /** lastAxis applied in a sub-scope {@code name} to x with its class axis moved last. */
  private static <T extends TFloating> Operand<T> onClassAxis(
      Ops tf, String name, Operand<T> x, int axis, BiFunction<Ops, Operand<T>, Operand<T>> lastAxis) {
    Ops s = tf.withSubScope(name);
    ClassAxis ax = ClassAxis.of(s, x, axis);
    return ax.restore(lastAxis.apply(s, ax.toLast(x)));
  }

  static void checkOrder(int order) {
    if (order < 2 || order % 2 != 0) {
      throw new IllegalArgumentException("order must be even and >= 2, got " + order);
    }
  }
}
