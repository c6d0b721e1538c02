package org.beyondsoftmax.framework.metrics;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.beyondsoftmax.framework.Arguments;
import org.beyondsoftmax.framework.Config;
import org.tensorflow.Operand;
import org.tensorflow.framework.metrics.Mean;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * A weighted mean, over examples, of a value of each example's probabilities (and label), as a
 * framework {@link Mean}: {@code updateState(tf, labels, predictions, sampleWeights)} checks the
 * arguments (an {@link IllegalArgumentException} naming {@code predictions}, {@code labels} or
 * {@code sampleWeights} when the graph is built), computes the per-example values in float64
 * and adds sum(w v) and sum(w) to the metric's variables; {@code result} is their ratio. Sample
 * weights: null (all 1), a scalar, or anything that broadcasts to the labels' shape. Its
 * configuration map holds {@code name}, {@code axis} and the subclass's parameters.
 */
public abstract class ProbabilityMetric extends Mean<TFloat64> {
  /** The default class axis: the last. */
  public static final int AXIS_DEFAULT = -1;
  /** The configuration key of the class axis. */
  public static final String AXIS = "axis";

  private final int axis;

  /**
   * @param name the metric's name, the prefix of its variables' names; null: the class's simple name
   * @param axis the class axis of the predictions, negative counts from the end
   */
  protected ProbabilityMetric(String name, int axis) {
    super(name, 0L, TFloat64.class);
    this.axis = axis;
  }

  /** Reads a configuration map with {@code name}, {@code axis} and {@code keys}. */
  protected static Config read(Map<String, Object> config, Class<?> type, String... keys) {
    Set<String> allowed = new HashSet<>(Set.of(keys));
    allowed.add(AXIS);
    return Config.read(config, type.getSimpleName(), null, allowed);
  }

  public int getAxis() {
    return axis;
  }

  /** Whether the labels take part (else they may be null, and are only checked when given). */
  protected abstract boolean needsLabels();

  /**
   * The per-example values, shaped like the predictions without the class axis.
   *
   * @param p probabilities in float64
   * @param axis the class axis, non-negative (or -1 for the last of an unknown rank)
   * @param labels class ids shaped like the values, or null when {@link #needsLabels()} is false
   */
  protected abstract Operand<TFloat64> perExample(Ops tf, Operand<TFloat64> p, int axis, Operand<? extends TNumber> labels);

  /** The parameters besides the axis, in the configuration map's order. */
  protected Map<String, Object> parameters() {
    return Map.of();
  }

  /** {@code name}, {@code axis} and the parameters. */
  public Map<String, Object> getConfig() {
    return Config.of(getName(), Map.of(AXIS, axis), parameters());
  }

  /**
   * Adds a batch.
   *
   * @param labels class ids (int32 or int64) shaped like {@code predictions} without the class
   *     axis (or with a trailing 1)
   * @param predictions probabilities, floating, rank &gt;= 1
   * @param sampleWeights null, a scalar, or weights that broadcast to the labels' shape
   * @throws IllegalArgumentException for a wrong dtype or shape of an argument
   */
  @Override
  public List<Op> updateStateList(Ops tf, Operand<? extends TNumber> labels,
      Operand<? extends TNumber> predictions, Operand<? extends TNumber> sampleWeights) {
    Arguments.floating("predictions", predictions);
    int a = Arguments.classAxis("axis", axis, predictions);
    Ops s = tf.withSubScope(getName());
    Operand<? extends TNumber> ids = labels == null && !needsLabels() ? null
        : Arguments.classIds(s, "labels", labels, predictions, a);
    Shape values = Arguments.perExample(predictions, a);
    if (sampleWeights != null) {
      Arguments.floatingDtype("sampleWeights", sampleWeights);
    }
    Operand<TFloat64> w64 = sampleWeights == null ? null : s.dtypes.cast(sampleWeights, TFloat64.class);
    w64 = Arguments.sampleWeights(s, "sampleWeights", w64, values.isUnknown() && ids != null ? ids.shape() : values,
        TFloat64.class);
    Operand<TFloat64> v = perExample(s, s.dtypes.cast(predictions, TFloat64.class), a, ids);
    Operand<TFloat64> weights = w64 == null ? s.onesLike(v) : s.math.mul(w64, s.onesLike(v));
    // The sums are added here rather than by Mean.updateStateList, whose shape handling counts
    // -1 values for a batch of unknown size without weights and fails on an unknown rank (a
    // Squeeze in both branches of a Select); the weights already have the values' shape.
    init(tf);
    Operand<TInt32> all = s.range(s.constant(0), s.rank(v), s.constant(1));
    return List.of(
        s.assignAdd(getTotal(), s.reduceSum(s.math.mul(weights, v), all)),
        s.assignAdd(getCount(), s.reduceSum(weights, all)));
  }

  @Override
  public String toString() {
    return getConfig().toString();
  }
}
