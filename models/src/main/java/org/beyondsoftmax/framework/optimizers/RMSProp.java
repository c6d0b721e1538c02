package org.beyondsoftmax.framework.optimizers;

import java.util.Optional;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TType;

/**
 * The framework's {@link org.tensorflow.framework.optimizers.RMSProp} (Hinton's RMSProp, optionally
 * centred and with momentum; its defaults and constructors) with slots that variables in name
 * scopes can have: see the package documentation.
 */
public class RMSProp extends org.tensorflow.framework.optimizers.RMSProp {
  private final ScopedSlots slots = new ScopedSlots();

  public RMSProp(Graph graph) {
    super(graph);
  }

  public RMSProp(Graph graph, float learningRate) {
    super(graph, learningRate);
  }

  public RMSProp(Graph graph, float learningRate, float decay, float momentum, float epsilon, boolean centered) {
    super(graph, learningRate, decay, momentum, epsilon, centered);
  }

  public RMSProp(Graph graph, String name, float learningRate) {
    super(graph, name, learningRate);
  }

  public RMSProp(Graph graph, String name, float learningRate, float decay, float momentum, float epsilon,
      boolean centered) {
    super(graph, name, learningRate, decay, momentum, epsilon, centered);
  }

  @Override
  protected <T extends TType> void createSlot(Output<T> variable, String slotName, Operand<T> initializer) {
    slots.create(tf, variable, slotName, initializer);
  }

  @Override
  public <T extends TType> Optional<Variable<T>> getSlot(Output<T> variable, String slotName) {
    return slots.get(variable, slotName);
  }
}
