package org.beyondsoftmax.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.ops.Shapes;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The project's optimisers ({@link Optimizer}: SGD and the deterministic Adam, Kingma &amp; Ba
 * 2015) as the chief's {@link UpdateRule}: the base learning rate a variable (on a ps task, read by
 * every task), a learning-rate multiplier per variable, and Adam's moments as state created on each
 * variable's own device, so that an update never leaves its ps task. At the step s being applied
 * (t = s + 1, the one-process model's update count), with rate α = lr r:
 * <pre>
 *   SGD:  θ ← θ − α g
 *   Adam: m ← m + (g − m)(1 − β1),   v ← v + (g² − v)(1 − β2),
 *         θ ← θ − α √(1 − β2^t) / (1 − β1^t) · m / (√v + ε)
 * </pre>
 * the arithmetic of TensorFlow's ApplyGradientDescent and ApplyAdam kernels, which the one-process
 * model runs. (Gradient clipping is {@link SyncReplicas}'s, over all ps tasks.)
 */
public final class ClusterOptimizer implements UpdateRule {
  private final Optimizer.Settings settings;
  private final Variable<TFloat32> learningRate;
  private final Map<Variable<TFloat32>, Double> multipliers;
  private final Map<Variable<TFloat32>, List<Variable<TFloat32>>> state = new HashMap<>();

  /**
   * @param learningRate the base rate, a float32 scalar variable
   * @param multipliers each trained variable's learning-rate multiplier (absent: 1)
   */
  public ClusterOptimizer(Optimizer.Settings settings, Variable<TFloat32> learningRate,
      Map<Variable<TFloat32>, Double> multipliers) {
    this.settings = settings;
    this.learningRate = learningRate;
    this.multipliers = Map.copyOf(multipliers);
  }

  @Override
  public List<Assignment> update(Ops tf, Variable<TFloat32> variable, Operand<TFloat32> value,
      Operand<TFloat32> gradient, Operand<TInt64> step) {
    double r = multipliers.getOrDefault(variable, 1.0);
    Operand<TFloat32> lr = tf.identity(learningRate);
    Operand<TFloat32> rate = r == 1 ? lr : tf.math.mul(lr, tf.constant((float) r));
    if (settings.kind() == Optimizer.Kind.SGD) {
      return List.of(new Assignment(variable, tf.math.sub(value, tf.math.mul(rate, gradient))));
    }
    String base = variable.op().name().replace('/', '.');
    Ops init = tf.withInitScope();
    Variable<TFloat32> m = tf.withName("adam_m_" + base).variable(init.zeros(
        Shapes.of(init, variable.shape()), TFloat32.class));
    Variable<TFloat32> v = tf.withName("adam_v_" + base).variable(init.zeros(
        Shapes.of(init, variable.shape()), TFloat32.class));
    state.put(variable, List.of(m, v));
    Operand<TFloat32> b1 = tf.constant((float) settings.beta1());
    Operand<TFloat32> b2 = tf.constant((float) settings.beta2());
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> t = tf.dtypes.cast(tf.math.add(step, tf.constant(1L)), TFloat32.class);
    Operand<TFloat32> alpha = tf.math.div(tf.math.mul(rate, tf.math.sqrt(tf.math.sub(one, tf.math.pow(b2, t)))),
        tf.math.sub(one, tf.math.pow(b1, t)));
    Operand<TFloat32> mValue = tf.identity(m);
    Operand<TFloat32> vValue = tf.identity(v);
    Operand<TFloat32> m1 = tf.math.add(mValue, tf.math.mul(tf.math.sub(gradient, mValue), tf.math.sub(one, b1)));
    Operand<TFloat32> v1 = tf.math.add(vValue,
        tf.math.mul(tf.math.sub(tf.math.square(gradient), vValue), tf.math.sub(one, b2)));
    Operand<TFloat32> step1 = tf.math.div(tf.math.mul(m1, alpha),
        tf.math.add(tf.math.sqrt(v1), tf.constant((float) settings.epsilon())));
    return List.of(new Assignment(m, m1), new Assignment(v, v1), new Assignment(variable, tf.math.sub(value, step1)));
  }

  /** The state this rule keeps for {@code variable} (Adam: m, v); empty for SGD or before the graph is built. */
  public List<Variable<TFloat32>> state(Variable<TFloat32> variable) {
    return state.getOrDefault(variable, List.of());
  }
}
