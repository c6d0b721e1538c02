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
 * Softmax cross-entropy of logits and class ids: l = log sum_j exp(z_j) - z_y, gradient
 * softmax(z) - onehot(y) ({@link Losses#crossEntropy}). The trainable replacement of the
 * framework's {@code SparseCategoricalCrossentropy(fromLogits = true)}: same values and reductions,
 * but TF-Java has no gradient for the {@code SparseSoftmaxCrossEntropyWithLogits} op that one
 * builds, so its optimizers cannot minimise it.
 */
public class SparseCrossEntropy extends LogitsLoss {
  /** Reduction AUTO (mean over the batch), class axis -1. */
  public SparseCrossEntropy() {
    this(REDUCTION_DEFAULT);
  }

  /** @param reduction how the per-example losses are combined */
  public SparseCrossEntropy(Reduction reduction) {
    this(null, reduction, AXIS_DEFAULT);
  }

  /**
   * @param name the loss's name and graph scope; null: "SparseCrossEntropy"
   * @param reduction how the per-example losses are combined
   * @param axis the class axis of the logits, negative counts from the end
   */
  public SparseCrossEntropy(String name, Reduction reduction, int axis) {
    super(name, reduction, axis);
  }

  /** From a configuration map: {@code name}, {@code reduction} ("auto"), {@code axis} (-1). */
  public SparseCrossEntropy(Map<String, Object> config) {
    super(read(config, SparseCrossEntropy.class));
  }

  @Override
  protected <T extends TFloating> Operand<T> perExample(
      Ops tf, Operand<T> logits, Operand<? extends TNumber> labels, LossOptions options) {
    return Losses.crossEntropy(tf, logits, labels, options);
  }
}
