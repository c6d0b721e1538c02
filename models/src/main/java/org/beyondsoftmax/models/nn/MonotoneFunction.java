package org.beyondsoftmax.models.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * A learned increasing function applied elementwise to logits before the softmax (the "LMS"
 * heads of Ganea et al. 2019). Increasing keeps the order of the logits, so argmax is unchanged,
 * while the log-probability matrix is no longer limited to rank d + 2.
 */
public interface MonotoneFunction<T extends TFloating> {

  /** f(x), elementwise, for x of any shape. */
  Operand<T> apply(Ops tf, Operand<T> x);

  /** The interval [-range, range] on which the function is shaped (for plots). */
  double range();
}
