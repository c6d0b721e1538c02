package org.beyondsoftmax.framework.activations;

import java.util.Map;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Exact 1.5-entmax (Peters, Niculae &amp; Martins 2019, "Sparse Sequence-to-Sequence Models"):
 * p = max(x/2 - tau, 0)^2 with sum(p) = 1, tau from a sorted threshold ({@link Mappings#entmax15}).
 * Sparse like sparsemax, smoother: rows have exact zeros.
 *
 * <p>Train with {@link org.beyondsoftmax.framework.losses.Entmax15Loss} on the logits, not with a
 * cross-entropy on these probabilities: the framework's {@code CategoricalCrossentropy} clips a
 * label probability of 0 to 1e-7 and gives a finite loss with zero gradient on the label.
 */
public class Entmax15 extends MappingActivation {
  /** The name, as {@link BeyondActivations#create(String)} knows it. */
  public static final String NAME = "entmax15";

  /** 1.5-entmax along the last axis. */
  public Entmax15() {
    this(AXIS_DEFAULT);
  }

  /** @param axis the class axis, negative counts from the end */
  public Entmax15(int axis) {
    super(NAME, true, axis);
  }

  /** From a configuration map: {@code name} ("entmax15"), {@code axis} (default -1). */
  public Entmax15(Map<String, Object> config) {
    this(axis(read(config, NAME)));
  }

  @Override
  protected <T extends TFloating> Operand<T> map(Ops tf, Operand<T> x, int axis) {
    return Mappings.entmax15(tf, x, axis);
  }
}
