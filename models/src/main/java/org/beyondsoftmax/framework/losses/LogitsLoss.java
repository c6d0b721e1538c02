package org.beyondsoftmax.framework.losses;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.beyondsoftmax.framework.Arguments;
import org.beyondsoftmax.framework.Config;
import org.beyondsoftmax.framework.MappingOutputs;
import org.beyondsoftmax.ops.LossOptions;
import org.tensorflow.Operand;
import org.tensorflow.framework.losses.Loss;
import org.tensorflow.framework.losses.Reduction;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TNumber;

/**
 * A loss of logits and class ids as a framework {@link Loss}: checks the arguments (an
 * {@link IllegalArgumentException} naming {@code predictions}, {@code labels} or
 * {@code sampleWeights} when the graph is built), computes the per-example loss with the function
 * of {@code org.beyondsoftmax.ops} the subclass names, and weights and reduces it with the
 * framework's {@link Reduction} semantics:
 *
 * <ul>
 *   <li>{@link Reduction#NONE}: w_i l_i, shaped like the labels;
 *   <li>{@link Reduction#SUM}: sum_i w_i l_i;
 *   <li>{@link Reduction#AUTO}, {@link Reduction#SUM_OVER_BATCH_SIZE}: sum_i w_i l_i / n, n the
 *       number of per-example values (not the sum of the weights), 0 when n = 0.
 * </ul>
 *
 * <p>Sample weights: null (all 1), a scalar, the labels' shape, or anything that broadcasts to it
 * (a trailing 1 is squeezed, a missing last dimension added, as the framework does). Predictions
 * that are probabilities of our activations, or of TensorFlow's {@code Softmax} op, are refused:
 * these losses apply their own mapping to logits. Its configuration map holds {@code name},
 * {@code reduction}, {@code axis} and the subclass's parameters.
 */
public abstract class LogitsLoss implements Loss {
  /** The default class axis: the last. */
  public static final int AXIS_DEFAULT = -1;
  /** The default reduction, as the framework's losses. */
  public static final Reduction REDUCTION_DEFAULT = Reduction.AUTO;
  /** Configuration keys. */
  public static final String REDUCTION = "reduction";
  public static final String AXIS = "axis";

  private final String name;
  private final Reduction reduction;
  private final int axis;

  /**
   * @param name the loss's name and graph scope; null: the class's simple name
   * @param reduction how the per-example losses are combined
   * @param axis the class axis of the predictions, negative counts from the end
   */
  protected LogitsLoss(String name, Reduction reduction, int axis) {
    this.name = name == null ? getClass().getSimpleName() : name;
    if (reduction == null) {
      throw new IllegalArgumentException("reduction must be one of AUTO, NONE, SUM, SUM_OVER_BATCH_SIZE, got null");
    }
    this.reduction = reduction;
    this.axis = axis;
  }

  /** From a configuration map read by {@link #read}: its name, reduction and axis. */
  protected LogitsLoss(Config config) {
    this(name(config), reduction(config), axis(config));
  }

  /** Reads a configuration map with {@code name}, {@code reduction}, {@code axis} and {@code keys}. */
  protected static Config read(Map<String, Object> config, Class<?> type, String... keys) {
    Set<String> allowed = new HashSet<>(Set.of(keys));
    allowed.add(REDUCTION);
    allowed.add(AXIS);
    return Config.read(config, type.getSimpleName(), null, allowed);
  }

  /** The name of a configuration map (null: the class's simple name). */
  protected static String name(Config c) {
    return c.string(Config.NAME, null);
  }

  /** The reduction of a configuration map (default AUTO). */
  protected static Reduction reduction(Config c) {
    return c.constant(REDUCTION, Reduction.class, REDUCTION_DEFAULT);
  }

  /** The class axis of a configuration map (default -1). */
  protected static int axis(Config c) {
    return c.integer(AXIS, AXIS_DEFAULT);
  }

  public String getName() {
    return name;
  }

  public Reduction getReduction() {
    return reduction;
  }

  public int getAxis() {
    return axis;
  }

  /** The parameters besides reduction and axis, in the configuration map's order. */
  protected Map<String, Object> parameters() {
    return Map.of();
  }

  /** {@code name}, {@code reduction} (lower case, as {@code Reduction.ofName} reads it), {@code axis}, parameters. */
  public Map<String, Object> getConfig() {
    Map<String, Object> common = new LinkedHashMap<>();
    common.put(REDUCTION, reduction.name().toLowerCase(Locale.ROOT));
    common.put(AXIS, axis);
    return Config.of(name, common, parameters());
  }

  /**
   * The per-example loss of logits with the class axis {@code options.axis()} and labels shaped
   * like the logits without it, unreduced ({@code options} has {@code Reduction.NONE}).
   */
  protected abstract <T extends TFloating> Operand<T> perExample(
      Ops tf, Operand<T> logits, Operand<? extends TNumber> labels, LossOptions options);

  /** As the framework's {@code AbstractLoss.call(tf, labels, predictions)}: no sample weights. */
  public <T extends TNumber> Operand<T> call(Ops tf, Operand<? extends TNumber> labels, Operand<T> predictions) {
    return call(tf, labels, predictions, null);
  }

  /**
   * The loss.
   *
   * @param labels class ids, int32 or int64, shaped like {@code predictions} without the class
   *     axis (or with a trailing 1)
   * @param predictions logits, floating, rank &gt;= 1
   * @param sampleWeights null, a scalar, or weights that broadcast to the labels' shape; the dtype
   *     of {@code predictions}
   * @throws IllegalArgumentException for a wrong dtype or shape of an argument, or probabilities
   *     given as predictions
   */
  @Override
  @SuppressWarnings({"unchecked", "rawtypes"})
  public <T extends TNumber> Operand<T> call(
      Ops tf, Operand<? extends TNumber> labels, Operand<T> predictions, Operand<T> sampleWeights) {
    Arguments.floating("predictions", predictions);
    MappingOutputs.source(predictions).ifPresent(this::refuse);
    int a = Arguments.classAxis("axis", axis, predictions);
    Ops s = tf.withSubScope(name);
    Operand<? extends TNumber> ids = Arguments.classIds(s, "labels", labels, predictions, a);
    Shape values = Arguments.perExample(predictions, a);
    Operand<T> weights = Arguments.sampleWeights(
        s, "sampleWeights", sampleWeights, values.isUnknown() ? ids.shape() : values, predictions.type());
    Operand<T> losses = (Operand<T>) perExample(s, (Operand) predictions, ids, LossOptions.defaults().withAxis(axis));
    return reduce(s, losses, weights);
  }

  private void refuse(MappingOutputs.Source source) {
    throw new IllegalArgumentException("predictions must be logits (" + name + " applies its own mapping), got the"
        + " probabilities of " + source.mapping()
        + (source.sparse()
            ? ". A sparse activation's probabilities in a cross-entropy are a trap: the framework's"
                + " CategoricalCrossentropy clips a label probability of 0 to 1e-7 and gives a finite loss with"
                + " zero gradient on the label. Pass the logits to the activation's own loss (SparsemaxLoss,"
                + " Entmax15Loss, EntmaxBisectLoss, TopKSoftmaxLoss)"
            : ". Pass the logits"));
  }

  /** The framework's weighting and reduction of per-example losses. */
  private <T extends TNumber> Operand<T> reduce(Ops tf, Operand<T> losses, Operand<T> weights) {
    Operand<T> weighted = weights == null ? losses : tf.math.mul(losses, weights);
    if (reduction == Reduction.NONE) {
      return weighted;
    }
    Operand<T> sum = tf.reduceSum(weighted, tf.range(tf.constant(0), tf.rank(weighted), tf.constant(1)));
    if (reduction == Reduction.SUM) {
      return sum;
    }
    Operand<TInt32> n = tf.size(weighted);
    return tf.math.divNoNan(sum, tf.dtypes.cast(n, weighted.type()));
  }

  @Override
  public String toString() {
    return getConfig().toString();
  }
}
