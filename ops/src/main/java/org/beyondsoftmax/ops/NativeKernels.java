package org.beyondsoftmax.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * Fused CPU kernels for some ops, from an optional module (beyond-softmax-native) found with
 * {@link java.util.ServiceLoader}. The ops reach a provider only through {@link Kernels}, which
 * loads it once, falls back to the composite graph ops when it cannot, and never uses it inside
 * {@link Kernels#portable()}. Each method builds the provider's op for float32 or float64 x over
 * the last axis; the ops validate every argument (and cast half precision) before calling, and
 * each op has a registered gradient.
 */
public interface NativeKernels {
  /** The softmax family over the last axis: u = x or u = x + log sigmoid(x) (sigsoftmax). */
  enum SoftmaxMode {
    /** p = exp(x - lse(x)). */
    SOFTMAX,
    /** x - lse(x). */
    LOG_SOFTMAX,
    /** p = exp(u - lse(u)), u = x + log sigmoid(x). */
    SIGSOFTMAX,
    /** u - lse(u). */
    LOG_SIGSOFTMAX
  }

  /** The sparse mappings whose thresholds a provider computes. */
  enum Sparse {
    /** p = max(x - t, 0). */
    SPARSEMAX,
    /** p = max(x/2 - t, 0)^2. */
    ENTMAX15
  }

  /**
   * Makes the kernels usable in this process; called once, before any other method. Throws
   * (anything) when they cannot be used here: the ops then use their composite forms.
   */
  void load() throws Exception;

  /** One line for the log: what was loaded, from where. */
  String description();

  /**
   * Whether graphs placed on {@code device} (a scope's device string, "" when unset) may use
   * these kernels: CPU placements yes, GPU placements never.
   */
  boolean usableOn(String device);

  /** PLIF of x (any shape) with raw slopes [K], K &gt;= 1, range T &gt; 0; see Mappings.plif. */
  <T extends TNumber> Operand<T> plif(Ops tf, Operand<T> x, Operand<T> slopesRaw, double range);

  /** The softmax family over the last axis of x (rank &gt;= 1). */
  <T extends TNumber> Operand<T> softmax(Ops tf, Operand<T> x, SoftmaxMode mode);

  /**
   * The exact threshold t of a sparse mapping for each row of x (shape: x without its last axis),
   * in the units the mapping's formula above takes. Not differentiable (callers stop the gradient
   * of x).
   */
  <T extends TNumber> Operand<T> threshold(Ops tf, Operand<T> x, Sparse mapping);

  /**
   * The Fenchel-Young loss of a sparse mapping per row of [R, M] logits z, for [R] labels in
   * [0, M): sum_j p_j z_j + H(p) - z_y; gradient (p - onehot(y)) times the upstream gradient.
   */
  <T extends TNumber> Operand<T> fenchelYoungLoss(
      Ops tf, Operand<T> z, Operand<? extends TNumber> labels, Sparse mapping);

  /**
   * Sigsoftmax cross-entropy per row of [R, M] logits z, for [R] labels in [0, M):
   * logsumexp(u) - u_y with u = z + log sigmoid(z); gradient (p - onehot(y)) (2 - sigmoid(z)).
   */
  <T extends TNumber> Operand<T> sigsoftmaxCrossEntropy(
      Ops tf, Operand<T> z, Operand<? extends TNumber> labels);

  /**
   * Cross-entropy of PLIF-transformed logits per row of [R, M] z, for [R] labels in [0, M):
   * logsumexp(f(z)) - f(z_y), f = PLIF with raw slopes [K] and range T (see Mappings.plif);
   * differentiable in z and in slopesRaw.
   */
  <T extends TNumber> Operand<T> plifCrossEntropy(
      Ops tf, Operand<T> z, Operand<? extends TNumber> labels, Operand<T> slopesRaw, double range);

  /**
   * alpha-entmax over the last axis of x (rank &gt;= 1), alpha a single value or one per row (x's
   * shape without its last axis, or with size 1 there), each &gt;= 1; differentiable in x and
   * alpha. See Mappings.entmaxBisect.
   */
  <T extends TNumber> Operand<T> entmaxBisect(Ops tf, Operand<T> x, Operand<T> alpha);

  /**
   * The alpha-entmax Fenchel-Young loss per row of [R, M] logits z, for [R] labels in [0, M):
   * sum_j p_j z_j + H_alpha(p) - z_y, alpha a single value or one per row ([R]), each &gt;= 1;
   * gradient (p - onehot(y)) in z and dH_alpha(p)/dalpha in alpha, times the upstream gradient.
   */
  <T extends TNumber> Operand<T> entmaxBisectLoss(
      Ops tf, Operand<T> z, Operand<? extends TNumber> labels, Operand<T> alpha);
}
