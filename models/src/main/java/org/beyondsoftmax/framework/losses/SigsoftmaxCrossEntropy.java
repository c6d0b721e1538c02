package org.beyondsoftmax.framework.losses;

import java.util.Map;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.framework.losses.Reduction;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TNumber;

/**
 * The cross-entropy of sigsoftmax (Kanai et al. 2018): l = -log p_y with
 * p = sigsoftmax(z) ∝ exp(z) sigmoid(z), computed in log space as the softmax cross-entropy of
 * log_sigsoftmax(z) ({@link Mappings#logSigsoftmax}, {@link Losses#crossEntropy}). The loss to
 * train {@link org.beyondsoftmax.framework.activations.Sigsoftmax}: give it the logits.
 */
public class SigsoftmaxCrossEntropy extends LogitsLoss {
  /** Reduction AUTO (mean over the batch), class axis -1. */
  public SigsoftmaxCrossEntropy() {
    this(REDUCTION_DEFAULT);
  }

  /** @param reduction how the per-example losses are combined */
  public SigsoftmaxCrossEntropy(Reduction reduction) {
    this(null, reduction, AXIS_DEFAULT);
  }

  /**
   * @param name the loss's name and graph scope; null: "SigsoftmaxCrossEntropy"
   * @param reduction how the per-example losses are combined
   * @param axis the class axis of the logits, negative counts from the end
   */
  public SigsoftmaxCrossEntropy(String name, Reduction reduction, int axis) {
    super(name, reduction, axis);
  }

  /** From a configuration map: {@code name}, {@code reduction} ("auto"), {@code axis} (-1). */
  public SigsoftmaxCrossEntropy(Map<String, Object> config) {
    super(read(config, SigsoftmaxCrossEntropy.class));
  }

  @Override
  protected <T extends TFloating> Operand<T> perExample(
      Ops tf, Operand<T> logits, Operand<? extends TNumber> labels, LossOptions options) {
    return Losses.crossEntropy(tf, Mappings.logSigsoftmax(tf, logits, options.axis()), labels, options);
  }
}
