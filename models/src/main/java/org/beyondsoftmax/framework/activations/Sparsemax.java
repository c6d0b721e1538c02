package org.beyondsoftmax.framework.activations;

import java.util.Map;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Sparsemax (Martins &amp; Astudillo 2016, "From Softmax to Sparsemax"): the Euclidean projection
 * of the logits onto the simplex, p = max(x - tau(x), 0) with tau chosen so that sum(p) = 1.
 * Rows have exact zeros. Gradient: dL/dx = s (g - sum(s g) / sum(s)), s = 1[p &gt; 0]
 * ({@link Mappings#sparsemax}).
 *
 * <p>Train with {@link org.beyondsoftmax.framework.losses.SparsemaxLoss} on the logits, not with a
 * cross-entropy on these probabilities: the framework's {@code CategoricalCrossentropy} clips a
 * label probability of 0 to 1e-7 and gives a finite loss with zero gradient on the label.
 */
public class Sparsemax extends MappingActivation {
  /** The name, as {@link BeyondActivations#create(String)} knows it. */
  public static final String NAME = "sparsemax";

  /** Sparsemax along the last axis. */
  public Sparsemax() {
    this(AXIS_DEFAULT);
  }

  /** @param axis the class axis, negative counts from the end */
  public Sparsemax(int axis) {
    super(NAME, true, axis);
  }

  /** From a configuration map: {@code name} ("sparsemax"), {@code axis} (default -1). */
  public Sparsemax(Map<String, Object> config) {
    this(axis(read(config, NAME)));
  }

  @Override
  protected <T extends TFloating> Operand<T> map(Ops tf, Operand<T> x, int axis) {
    return Mappings.sparsemax(tf, x, axis);
  }
}
