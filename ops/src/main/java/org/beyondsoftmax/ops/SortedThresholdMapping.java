package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * A {@link ThresholdMapping} whose threshold is exact from the sorted candidates of each row
 * ({@link Candidates}): sparsemax and 1.5-entmax. This is the one place where such a mapping, and
 * its loss with labels, choose between the fused kernel of a {@link NativeKernels} provider (when
 * {@link Kernels} allows; the thresholds only with {@link SortStrategy#BOUNDED_TOP_K}) and the
 * composite graph ops. The composite loss works on the candidates only: O(rows x candidates).
 */
abstract class SortedThresholdMapping extends ThresholdMapping {
  private final String rule;
  private final String lossRule;
  private final NativeKernels.Sparse kernel;

  /**
   * Defines the mapping's gradient rule {@code rule} (dx = its Jacobian-vector product at p) and
   * its loss rule {@code lossRule} (dz = (P(z, t) - onehot(y)) g).
   */
  SortedThresholdMapping(String rule, String lossRule, NativeKernels.Sparse kernel) {
    this.rule = rule;
    this.lossRule = lossRule;
    this.kernel = kernel;
    CustomGradients.define(rule, (tf, node, up) -> {
      @SuppressWarnings("unchecked")
      Operand<TNumber> p = CustomGradients.input(node, 0);
      @SuppressWarnings("unchecked")
      Operand<TNumber> g = CustomGradients.upstream(up, 0);
      return mappingGradient(node, jvp(tf, p, g));
    });
    FenchelYoung.defineLossRule(lossRule, this::probabilities);
  }

  /** The composite threshold of logits x (gradient stopped) with row maximum rowMax. */
  abstract <T extends TNumber> Threshold<T> threshold(
      Ops tf, Operand<T> x, Operand<T> rowMax, SortStrategy strategy);

  /**
   * tau where the row's support has n &gt; 0 entries; 0 for a row that is all -inf (no support),
   * which keeps its p at 0.
   */
  static <T extends TNumber> Operand<T> zeroWithoutSupport(Ops tf, Operand<T> n, Operand<T> tau) {
    return Rows.where0(tf, tf.math.greater(n, tf.zerosLike(n)), tau);
  }

  /** The threshold t in the units {@link #probabilities} takes, per row [.., 1]. */
  abstract <T extends TNumber> Operand<T> thresholdOfX(Ops tf, Threshold<T> th);

  /** p = P(x, t), pointwise. */
  abstract <T extends TNumber> Operand<T> probabilities(Ops tf, Operand<T> x, Operand<T> t);

  /** p of the candidates of {@code th}. */
  abstract <T extends TNumber> Operand<T> candidateProbabilities(Ops tf, Threshold<T> th);

  /** The candidates of {@code th} as logits, in units of x - shift. */
  abstract <T extends TNumber> Operand<T> candidateLogits(Ops tf, Threshold<T> th);

  /** The Jacobian-vector product at output p for the upstream gradient g. */
  abstract <T extends TNumber> Operand<T> jvp(Ops tf, Operand<T> p, Operand<T> g);

  @Override
  final <T extends TNumber> Operand<T> lastAxis(Ops tf, Operand<T> x, SortStrategy strategy) {
    Operand<T> xs = tf.stopGradient(x);
    Optional<NativeKernels> fused =
        strategy == SortStrategy.BOUNDED_TOP_K ? Kernels.forScope(tf) : Optional.empty();
    // p from x - shift and a threshold relative to the shift, not from x and shift + tau: exact
    // also where |x| dwarfs tau (float32 logits of 1e8 would otherwise give rows of zeros)
    Operand<T> p;
    if (fused.isPresent()) {
      Operand<T> shifted = tf.math.sub(xs, Rows.safeMax(tf, xs));
      p = probabilities(tf, shifted, tf.expandDims(fused.get().threshold(tf, shifted, kernel), Rows.last(tf)));
    } else {
      Threshold<T> th = threshold(tf, xs, Rows.maxLast(tf, xs), strategy);
      p = probabilities(tf, tf.math.sub(xs, th.shift()), th.tau());
    }
    return CustomGradients.apply(tf, rule, p, List.of(x), Map.of());
  }

  @Override
  final <T extends TNumber> Operand<T> labelLoss(
      Ops tf, Operand<T> z, Operand<T> rowMax, Labels<?> labels) {
    Optional<NativeKernels> fused = Kernels.forScope(tf);
    if (fused.isPresent()) {
      return fused.get().fenchelYoungLoss(tf, z, labels.safe, kernel);
    }
    Threshold<T> th = threshold(tf, tf.stopGradient(z), rowMax, SortStrategy.BOUNDED_TOP_K);
    Operand<T> pTop = candidateProbabilities(tf, th);
    return FenchelYoung.candidateLoss(tf, lossRule, z, th.shift(), pTop, candidateLogits(tf, th),
        entropy(tf, pTop), thresholdOfX(tf, th), labels);
  }
}
