package org.beyondsoftmax.framework.metrics;

import java.util.List;
import java.util.Map;
import org.beyondsoftmax.framework.Arguments;
import org.beyondsoftmax.framework.Config;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.OneHot;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * Perplexity: exp of the weighted mean negative log-likelihood of the labels,
 * exp(sum_i w_i (-log p_i(y_i)) / sum_i w_i), over every batch since the last reset.
 *
 * <p>A sparse head (sparsemax, entmax, top-k) gives some labels probability 0, and then plain
 * perplexity is infinite. The epsilon-smoothed form scores p' = (p + epsilon) / (1 + epsilon M)
 * instead (M classes; Martins et al. 2020, "Sparse Text Generation", as {@code beyond eval} does),
 * which is finite and, for small epsilon, close to the plain one where p &gt; 0. epsilon = 0 is the
 * plain perplexity.
 */
public class Perplexity extends ProbabilityMetric {
  /** The configuration key of epsilon. */
  public static final String EPSILON = "epsilon";
  /** The epsilon of the smoothed perplexity of sparse heads, 1e-6 (as {@code beyond eval}). */
  public static final double EPSILON_SPARSE = 1e-6;

  private final double epsilon;

  /** The plain perplexity, class axis -1. */
  public Perplexity() {
    this(0.0);
  }

  /** @param epsilon &gt;= 0: the smoothing (0: plain) */
  public Perplexity(double epsilon) {
    this(null, epsilon, AXIS_DEFAULT);
  }

  /**
   * @param name the metric's name, the prefix of its variables' names; null: "Perplexity"
   * @param epsilon &gt;= 0: the smoothing (0: plain)
   * @param axis the class axis of the predictions, negative counts from the end
   */
  public Perplexity(String name, double epsilon, int axis) {
    super(name, axis);
    this.epsilon = Arguments.atLeast(EPSILON, epsilon, 0);
  }

  /** From a configuration map: {@code name}, {@code epsilon} (0), {@code axis} (-1). */
  public Perplexity(Map<String, Object> config) {
    this(read(config, Perplexity.class, EPSILON));
  }

  private Perplexity(Config c) {
    this(c.string(Config.NAME, null), c.real(EPSILON, 0.0), c.integer(AXIS, AXIS_DEFAULT));
  }

  public double getEpsilon() {
    return epsilon;
  }

  @Override
  protected Map<String, Object> parameters() {
    return Map.of(EPSILON, epsilon);
  }

  @Override
  protected boolean needsLabels() {
    return true;
  }

  /** -log p(y), or -log p'(y) when smoothed; a label outside [0, M) fails the run. */
  @Override
  protected Operand<TFloat64> perExample(Ops tf, Operand<TFloat64> p, int axis, Operand<? extends TNumber> labels) {
    Operand<TInt32> classAxis = axis < 0 ? tf.math.sub(tf.rank(p), tf.constant(1)) : tf.constant(axis);
    Operand<TInt32> classes = tf.gather(tf.shape(p), classAxis, tf.constant(0));
    Operand<TInt64> y = tf.dtypes.cast(labels, TInt64.class);
    Operand<TInt64> m = tf.dtypes.cast(classes, TInt64.class);
    Operand<TInt32> all = tf.range(tf.constant(0), tf.rank(y), tf.constant(1));
    Operand<TBool> inRange = tf.reduceAll(
        tf.math.logicalAnd(tf.math.greaterEqual(y, tf.constant(0L)), tf.math.less(y, m)), all);
    Ops checked = tf.withControlDependencies(List.of(tf.assertThat(inRange,
        List.of(tf.constant("labels must be class ids in [0, M), M ="), m))));
    Operand<TFloat64> onehot = checked.oneHot(y, classes, tf.constant(1.0), tf.constant(0.0), OneHot.axis((long) axis));
    Operand<TFloat64> py = tf.reduceSum(tf.math.mul(p, onehot), tf.constant(axis), ReduceSum.keepDims(false));
    if (epsilon > 0) {
      Operand<TFloat64> eps = tf.constant(epsilon);
      Operand<TFloat64> norm = tf.math.add(tf.constant(1.0), tf.math.mul(eps, tf.dtypes.cast(classes, TFloat64.class)));
      py = tf.math.div(tf.math.add(py, eps), norm);
    }
    return tf.math.neg(tf.math.log(py));
  }

  /** exp of the mean negative log-likelihood; {@code type} is the result's dtype. */
  @Override
  public <U extends TNumber> Operand<U> result(Ops tf, Class<U> type) {
    return tf.dtypes.cast(tf.math.exp(super.result(tf, TFloat64.class)), type);
  }
}
