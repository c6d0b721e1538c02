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
 * The 1.5-entmax loss (Peters, Niculae &amp; Martins 2019), Fenchel-Young with the Tsallis
 * 1.5-entropy: l = sum_j p_j z_j + (1 - sum_j p_j^1.5)/0.75 - z_y with p = entmax15(z); gradient
 * p - onehot(y) ({@link Losses#entmax15Loss}). The loss to train
 * {@link org.beyondsoftmax.framework.activations.Entmax15}: give it the logits.
 */
public class Entmax15Loss extends LogitsLoss {
  /** Reduction AUTO (mean over the batch), class axis -1. */
  public Entmax15Loss() {
    this(REDUCTION_DEFAULT);
  }

  /** @param reduction how the per-example losses are combined */
  public Entmax15Loss(Reduction reduction) {
    this(null, reduction, AXIS_DEFAULT);
  }

  /**
   * @param name the loss's name and graph scope; null: "Entmax15Loss"
   * @param reduction how the per-example losses are combined
   * @param axis the class axis of the logits, negative counts from the end
   */
  public Entmax15Loss(String name, Reduction reduction, int axis) {
    super(name, reduction, axis);
  }

  /** From a configuration map: {@code name}, {@code reduction} ("auto"), {@code axis} (-1). */
  public Entmax15Loss(Map<String, Object> config) {
    super(read(config, Entmax15Loss.class));
  }

  @Override
  protected <T extends TFloating> Operand<T> perExample(
      Ops tf, Operand<T> logits, Operand<? extends TNumber> labels, LossOptions options) {
    return Losses.entmax15Loss(tf, logits, labels, options);
  }
}
