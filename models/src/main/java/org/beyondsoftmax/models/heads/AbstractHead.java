package org.beyondsoftmax.models;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/** What every head shares: its config, spec, variables, and the check of the hidden states. */
abstract class AbstractHead<T extends TFloating> implements OutputHead<T> {
  protected final HeadConfig<T> config;
  protected final Parameters<T> params;
  private final HeadSpec spec;

  AbstractHead(HeadConfig<T> config, HeadSpec spec) {
    this.config = config;
    this.spec = spec;
    this.params = new Parameters<>(config, spec.name());
  }

  @Override
  public final String spec() {
    return spec.toString();
  }

  @Override
  public final List<Parameter<T>> parameters() {
    return params.all();
  }

  /**
   * One application of the head: a fresh name scope and the hidden states, validated and read
   * through an Identity (so h may be a VariableV2: TensorFlow's gradient builder mishandles refs).
   */
  protected record Call<T extends TFloating>(Ops tf, Operand<T> h) {}

  /** Validates h [N, d] and opens the scope {@code name} for one application of the head. */
  protected final Call<T> call(String name, Operand<T> h) {
    Shape shape = h.shape();
    if (!shape.isUnknown() && (shape.numDimensions() != 2
        || (shape.get(1) != Shape.UNKNOWN_SIZE && shape.get(1) != config.hiddenSize()))) {
      throw new IllegalArgumentException(
          "h must have shape [N, " + config.hiddenSize() + "] (hidden states), got " + shape);
    }
    Ops s = params.ops().withSubScope(name);
    return new Call<>(s, s.identity(h));
  }

  @Override
  public String toString() {
    return spec();
  }
}
