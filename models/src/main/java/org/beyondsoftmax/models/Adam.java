package org.beyondsoftmax.models;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TFloating;

/**
 * Adam (Kingma &amp; Ba 2015) for {@link Parameter}s, deterministic: a step computes every gradient
 * (and the loss) first and only then applies the updates, in place (ApplyAdam on the VariableV2s),
 * so no update races with a computation that still reads a variable. Per parameter with
 * learning-rate multiplier r, at step t: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
 * theta -= r lr sqrt(1 - b2^t)/(1 - b1^t) m/(sqrt(v) + eps).
 */
public final class Adam {
  /** The hyper-parameters; {@link #of} gives the usual b1 = 0.9, b2 = 0.999, eps = 1e-8. */
  public record Settings(double learningRate, double beta1, double beta2, double epsilon) {
    public Settings {
      if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
        throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
      }
      if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
        throw new IllegalArgumentException("beta1 and beta2 must be in [0, 1), got " + beta1 + ", " + beta2);
      }
      if (!(epsilon > 0)) {
        throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
      }
    }

    public static Settings of(double learningRate) {
      return new Settings(learningRate, 0.9, 0.999, 1e-8);
    }
  }

  private Adam() {}

  /**
   * The op that runs one step minimising {@code loss} (summed if not a scalar) over
   * {@code params}. Creates the moment and step-count variables (zeros, initialised with the
   * others by {@code Session.initialize()}).
   */
  public static <T extends TFloating> Op minimize(
      Ops tf, Operand<T> loss, List<Parameter<T>> params, Settings settings) {
    if (params.isEmpty()) {
      throw new IllegalArgumentException("params must not be empty");
    }
    Ops s = tf.withSubScope("adam");
    Class<T> type = loss.type();
    List<Operand<?>> variables = new ArrayList<>();
    params.forEach(p -> variables.add(p.variable()));
    Gradients grads = s.gradients(loss, variables);
    List<Operand<T>> g = new ArrayList<>();
    List<Op> ready = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      @SuppressWarnings("unchecked")
      Operand<T> dy = (Operand<T>) (Operand<?>) grads.dy(i);
      var gi = s.identity(dy);
      g.add(gi);
      ready.add(gi);
    }
    ready.add(s.identity(loss));
    Ops after = s.withControlDependencies(ready);
    Variable<T> step = Slots.zeros(s, "step", Shape.scalar(), type);
    Operand<T> t = after.assignAdd(step, cast(s, 1, type));
    Operand<T> b1 = cast(s, settings.beta1(), type);
    Operand<T> b2 = cast(s, settings.beta2(), type);
    Operand<T> b1Power = after.math.pow(b1, t);
    Operand<T> b2Power = after.math.pow(b2, t);
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      Parameter<T> p = params.get(i);
      Shape shape = p.variable().shape();
      updates.add(after.train.applyAdam(p.variable(), Slots.zeros(s, p.name() + "_m", shape, type),
          Slots.zeros(s, p.name() + "_v", shape, type), b1Power, b2Power,
          cast(s, settings.learningRate() * p.learningRateMultiplier(), type), b1, b2,
          cast(s, settings.epsilon(), type), g.get(i)));
    }
    return s.withControlDependencies(updates).noOp();
  }


  private static <T extends TFloating> Operand<T> cast(Ops tf, double value, Class<T> type) {
    return tf.dtypes.cast(tf.constant(value), type);
  }
}
