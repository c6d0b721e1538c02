package org.beyondsoftmax.framework.losses;

import java.util.Map;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.tensorflow.Operand;
import org.tensorflow.framework.losses.Reduction;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TNumber;

/**
 * The sparsemax loss (Martins &amp; Astudillo 2016), the Fenchel-Young loss of sparsemax:
 * l = sum_j p_j z_j + (1 - sum_j p_j^2)/2 - z_y with p = sparsemax(z); gradient p - onehot(y)
 * ({@link Losses#sparsemaxLoss}). Zero when the label alone is in the support with margin. The
 * loss to train {@link org.beyondsoftmax.framework.activations.Sparsemax}: give it the logits.
 */
public class SparsemaxLoss extends LogitsLoss {
  /** Reduction AUTO (mean over the batch), class axis -1. */
  public SparsemaxLoss() {
    this(REDUCTION_DEFAULT);
  }

  /** @param reduction how the per-example losses are combined */
  public SparsemaxLoss(Reduction reduction) {
    this(null, reduction, AXIS_DEFAULT);
  }

  /**
   * @param name the loss's name and graph scope; null: "SparsemaxLoss"
   * @param reduction how the per-example losses are combined
   * @param axis the class axis of the logits, negative counts from the end
   */
  public SparsemaxLoss(String name, Reduction reduction, int axis) {
    super(name, reduction, axis);
  }

  /** From a configuration map: {@code name}, {@code reduction} ("auto"), {@code axis} (-1). */
  public SparsemaxLoss(Map<String, Object> config) {
    super(read(config, SparsemaxLoss.class));
  }

  @Override
  protected <T extends TFloating> Operand<T> perExample(
      Ops tf, Operand<T> logits, Operand<? extends TNumber> labels, LossOptions options) {
    return Losses.sparsemaxLoss(tf, logits, labels, options);
  }
}
