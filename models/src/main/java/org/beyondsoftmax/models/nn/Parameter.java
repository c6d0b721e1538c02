package org.beyondsoftmax.models.nn;

import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TType;

/**
 * A trainable variable of a head: its name inside the head, the {@code VariableV2}, and a
 * learning-rate multiplier that optimisers apply on top of their base rate (1 = the base rate).
 */
public record Parameter<T extends TType>(String name, Variable<T> variable, double learningRateMultiplier) {

  public Parameter {
    if (!(learningRateMultiplier > 0) || Double.isInfinite(learningRateMultiplier)) {
      throw new IllegalArgumentException(
          "learningRateMultiplier must be finite and > 0, got " + learningRateMultiplier);
    }
  }

  /** The number of scalars (the static shape is always fully known). */
  public long size() {
    return variable.shape().size();
  }
}
