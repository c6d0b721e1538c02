package org.beyondsoftmax.models.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.beyondsoftmax.ops.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TFloating;

/**
 * Creates the {@code VariableV2}s of one model part (a head, a language model's embedding and
 * LSTM, an experiment's context embeddings), in its own name scope, and lists them.
 *
 * <p>Each method returns the variable's value read through one {@code Identity}, which heads use
 * everywhere: TensorFlow's gradient builder mishandles the ref dtype of a {@code VariableV2} output
 * (a ref consumed by two ops crashed {@code TF_AddGradients}; custom-gradient {@code IdentityN}s
 * reject it). The {@code VariableV2}s themselves are in {@link #all()}, for optimisers and export.
 *
 * <p>Initial values are built in the graph's init scope (run by {@code Session.initialize()}) from
 * stateless random ops keyed by (seed, variable name): the same seed and name give the same
 * values in any graph, whatever else the graph holds.
 */
public final class Parameters<T extends TFloating> {
  private final Ops tf;
  private final Ops init;
  private final Class<T> dtype;
  private final long seed;
  private final List<Parameter<T>> all = new ArrayList<>();

  /**
   * @param tf the graph; the part's variables go in the sub-scope {@code scope} of its scope
   *     (made unique by TensorFlow)
   * @param dtype the variables' dtype
   * @param seed keys the initial values with each variable's name
   */
  public Parameters(Ops tf, Class<T> dtype, long seed, String scope) {
    this.dtype = dtype;
    this.seed = seed;
    this.tf = tf.withSubScope(scope);
    this.init = this.tf.withInitScope();
  }

  /** The part's ops: its name scope in the graph. */
  public Ops ops() {
    return tf;
  }

  public Class<T> dtype() {
    return dtype;
  }

  /** A variable with normal(0, stddev^2) initial values. */
  public Operand<T> normal(String name, Shape shape, double stddev) {
    return add(name, 1.0, i -> i.math.mul(
        i.random.statelessRandomNormal(Shapes.of(i, shape), seed(i, name), dtype),
        scalar(i, stddev)));
  }

  /** A variable with uniform [low, high) initial values. */
  public Operand<T> uniform(String name, Shape shape, double low, double high) {
    return add(name, 1.0, i -> i.math.add(
        i.math.mul(
            i.random.statelessRandomUniform(Shapes.of(i, shape), seed(i, name), dtype),
            scalar(i, high - low)),
        scalar(i, low)));
  }

  /** A variable filled with {@code value}. */
  public Operand<T> constant(String name, Shape shape, double value) {
    return add(name, 1.0, i -> i.fill(Shapes.of(i, shape), scalar(i, value)));
  }

  /**
   * A variable with initial value {@code initial(initOps)}, built with the init-scope ops it is
   * given (and {@link #seed} for randomness); trained at {@code learningRateMultiplier} times the
   * base rate.
   */
  public Operand<T> variable(
      String name, double learningRateMultiplier, Function<Ops, Operand<T>> initial) {
    return add(name, learningRateMultiplier, initial);
  }

  /** The seed that keys this part's initial values. */
  public long seed() {
    return seed;
  }

  /** The stateless-random seed [2] of the variable {@code name}: (seed, hash of name). */
  public Operand<org.tensorflow.types.TInt64> seed(Ops initOps, String name) {
    return initOps.constant(new long[] {seed, name.hashCode()});
  }

  /** A scalar of the part's dtype. */
  public Operand<T> scalar(Ops ops, double value) {
    return ops.dtypes.cast(ops.constant(value), dtype);
  }

  public List<Parameter<T>> all() {
    return List.copyOf(all);
  }

  private Operand<T> add(String name, double lr, Function<Ops, Operand<T>> initial) {
    for (Parameter<T> p : all) {
      if (p.name().equals(name)) {
        throw new IllegalArgumentException("parameter name '" + name + "' is already used in this part");
      }
    }
    Operand<T> value = initial.apply(init.withSubScope(name + "_init"));
    if (value.shape().isUnknown() || value.shape().hasUnknownDimension()) {
      throw new IllegalArgumentException(
          "the initial value of '" + name + "' must have a static shape, got " + value.shape());
    }
    Variable<T> v = tf.withName(name).variable(value);
    all.add(new Parameter<>(name, v, lr));
    return tf.withName(name + "_read").identity(v);
  }
}
