package org.beyondsoftmax.framework.metrics;

import java.util.Map;
import org.beyondsoftmax.framework.Config;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TNumber;

/**
 * The support size: the weighted mean number of classes with p &gt; 0 per example,
 * sum_i w_i |{j : p_ij &gt; 0}| / sum_i w_i. M for a full-support mapping (softmax), between 1
 * and M for a sparse one (sparsemax, entmax, top-k). Labels take no part: they may be null, and
 * are checked when given.
 */
public class SupportSize extends ProbabilityMetric {
  /** Class axis -1. */
  public SupportSize() {
    this(null, AXIS_DEFAULT);
  }

  /**
   * @param name the metric's name, the prefix of its variables' names; null: "SupportSize"
   * @param axis the class axis of the predictions, negative counts from the end
   */
  public SupportSize(String name, int axis) {
    super(name, axis);
  }

  /** From a configuration map: {@code name}, {@code axis} (-1). */
  public SupportSize(Map<String, Object> config) {
    this(read(config, SupportSize.class));
  }

  private SupportSize(Config c) {
    this(c.string(Config.NAME, null), c.integer(AXIS, AXIS_DEFAULT));
  }

  @Override
  protected boolean needsLabels() {
    return false;
  }

  @Override
  protected Operand<TFloat64> perExample(Ops tf, Operand<TFloat64> p, int axis, Operand<? extends TNumber> labels) {
    Operand<TFloat64> positive = tf.dtypes.cast(tf.math.greater(p, tf.constant(0.0)), TFloat64.class);
    return tf.reduceSum(positive, tf.constant(axis), ReduceSum.keepDims(false));
  }
}
