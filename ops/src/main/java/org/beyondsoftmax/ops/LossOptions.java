package org.beyondsoftmax.ops;

import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.types.family.TFloating;

/**
 * Options shared by every loss: class axis, reduction, an ignored label value, sample weights.
 * Immutable; each {@code with*} returns a copy. Default: last axis, {@link Reduction#NONE}, no
 * ignored label, no weights.
 */
public record LossOptions(
    int axis, Reduction reduction, Optional<Long> ignoreLabel, Optional<Operand<? extends TFloating>> weights) {

  public static LossOptions defaults() {
    return new LossOptions(-1, Reduction.NONE, Optional.empty(), Optional.empty());
  }

  public LossOptions withAxis(int axis) {
    return new LossOptions(axis, reduction, ignoreLabel, weights);
  }

  public LossOptions withReduction(Reduction reduction) {
    return new LossOptions(axis, reduction, ignoreLabel, weights);
  }

  /** Examples whose label equals {@code label} give loss 0, gradient 0 and do not count in MEAN. */
  public LossOptions withIgnoreLabel(long label) {
    return new LossOptions(axis, reduction, Optional.of(label), weights);
  }

  /** Per-example weights: the shape of the labels, or anything that broadcasts to it. */
  public LossOptions withWeights(Operand<? extends TFloating> weights) {
    return new LossOptions(axis, reduction, ignoreLabel, Optional.of(weights));
  }
}
