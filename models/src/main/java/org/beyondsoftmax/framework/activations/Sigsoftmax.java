package org.beyondsoftmax.framework.activations;

import java.util.Map;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Sigsoftmax (Kanai et al. 2018, "Sigsoftmax: Reanalysis of the Softmax Bottleneck"):
 * p_i = exp(x_i) sigmoid(x_i) / sum_j exp(x_j) sigmoid(x_j) ({@link Mappings#sigsoftmax}); full
 * support. Train with {@link org.beyondsoftmax.framework.losses.SigsoftmaxCrossEntropy} on the
 * logits.
 */
public class Sigsoftmax extends MappingActivation {
  /** The name, as {@link BeyondActivations#create(String)} knows it. */
  public static final String NAME = "sigsoftmax";

  /** Sigsoftmax along the last axis. */
  public Sigsoftmax() {
    this(AXIS_DEFAULT);
  }

  /** @param axis the class axis, negative counts from the end */
  public Sigsoftmax(int axis) {
    super(NAME, false, axis);
  }

  /** From a configuration map: {@code name} ("sigsoftmax"), {@code axis} (default -1). */
  public Sigsoftmax(Map<String, Object> config) {
    this(axis(read(config, NAME)));
  }

  @Override
  protected <T extends TFloating> Operand<T> map(Ops tf, Operand<T> x, int axis) {
    return Mappings.sigsoftmax(tf, x, axis);
  }
}
