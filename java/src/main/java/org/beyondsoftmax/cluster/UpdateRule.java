package org.beyondsoftmax.cluster;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * How the chief turns a step's averaged gradient into new values of a variable (and of any state
 * the rule keeps beside it, such as Adam's moments). The rule returns values, not assign ops:
 * {@link SyncReplicas} assigns them under its guard, so that a step applied twice (a chief
 * restarted in the middle of an apply) changes nothing the second time.
 */
@FunctionalInterface
public interface UpdateRule {
  /** A variable and its new value. */
  record Assignment(Variable<TFloat32> target, Operand<TFloat32> value) {}

  /**
   * The assignments of one step, built with {@code tf} (on the variable's device). State the rule
   * keeps must be variables it creates here with an initializer ({@code tf.withInitScope()}), on
   * the same device.
   *
   * @param variable the variable to update
   * @param value its current value (read once)
   * @param gradient the gradient averaged over the workers
   * @param step the step being applied, 0 for the first (int64 scalar)
   */
  List<Assignment> update(Ops tf, Variable<TFloat32> variable, Operand<TFloat32> value, Operand<TFloat32> gradient,
      Operand<TInt64> step);

  /** Plain SGD: v ← v − η g. */
  static UpdateRule sgd(float learningRate) {
    if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
    }
    return (tf, variable, value, gradient, step) ->
        List.of(new Assignment(variable, tf.math.sub(value, tf.math.mul(tf.constant(learningRate), gradient))));
  }
}
