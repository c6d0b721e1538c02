package org.beyondsoftmax.framework.optimizers;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TType;

/**
 * The slot variables of one optimizer, by slot and variable name, created as the framework's
 * {@code Optimizer.createSlot} creates them (in the init scope, assigned their initial value) but
 * named {@code <variable name with '/' as '_'>-<slot>}, which {@code Ops.withName} accepts.
 */
final class ScopedSlots {
  private final Map<String, Map<String, Variable<?>>> slots = new HashMap<>();

  /** The slot's name: the framework's, with the variable's scope separators as underscores. */
  static String name(Output<?> variable, String slotName) {
    return variable.op().name().replace('/', '_') + "-" + slotName;
  }

  <T extends TType> void create(Ops tf, Output<T> variable, String slotName, Operand<T> initializer) {
    Variable<T> slot = tf.withInitScope().withName(name(variable, slotName)).variable(variable.shape(), variable.type());
    tf.withInitScope().assign(slot, initializer);
    slots.computeIfAbsent(slotName, k -> new HashMap<>()).put(variable.op().name(), slot);
  }

  @SuppressWarnings("unchecked")
  <T extends TType> Optional<Variable<T>> get(Output<T> variable, String slotName) {
    Map<String, Variable<?>> byVariable = slots.get(slotName);
    return byVariable == null ? Optional.empty()
        : Optional.ofNullable((Variable<T>) byVariable.get(variable.op().name()));
  }
}
