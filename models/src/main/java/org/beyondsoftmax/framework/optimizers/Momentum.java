package org.beyondsoftmax.framework.optimizers;

import java.util.Optional;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TType;

/**
 * The framework's {@link org.tensorflow.framework.optimizers.Momentum} (stochastic gradient
 * descent with momentum, optionally Nesterov's; its defaults and constructors) with slots that
 * variables in name scopes can have: see the package documentation.
 */
public class Momentum extends org.tensorflow.framework.optimizers.Momentum {
  private final ScopedSlots slots = new ScopedSlots();

  public Momentum(Graph graph) {
    super(graph);
  }

  public Momentum(Graph graph, float learningRate) {
    super(graph, learningRate);
  }

  public Momentum(Graph graph, float learningRate, float momentum) {
    super(graph, learningRate, momentum);
  }

  public Momentum(Graph graph, float learningRate, float momentum, boolean useNesterov) {
    super(graph, learningRate, momentum, useNesterov);
  }

  public Momentum(Graph graph, String name, float learningRate, float momentum, boolean useNesterov) {
    super(graph, name, learningRate, momentum, useNesterov);
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
