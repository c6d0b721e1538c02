package org.beyondsoftmax.models.optim;

import org.beyondsoftmax.ops.Shapes;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TType;

/** The optimisers' state variables (Adam's moments, step counts): zeros, set by the init scope. */
final class Slots {
  private Slots() {}

  static <T extends TType> Variable<T> zeros(Ops tf, String name, Shape shape, Class<T> type) {
    Ops init = tf.withInitScope();
    return tf.withName(name).variable(init.zeros(Shapes.of(init, shape), type));
  }
}
