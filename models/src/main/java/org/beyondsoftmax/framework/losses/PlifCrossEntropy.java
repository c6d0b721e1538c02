package org.beyondsoftmax.framework.losses;

import java.util.LinkedHashMap;
import java.util.Map;
import org.beyondsoftmax.framework.Arguments;
import org.beyondsoftmax.framework.Config;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.framework.losses.Reduction;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TNumber;

/**
 * The cross-entropy of softmax(f(z)) with f the LMS-PLIF learned increasing piecewise-linear
 * function (Ganea et al. 2019, "Breaking the Softmax Bottleneck via Learnable Monotonic Pointwise
 * Non-linearities"), applied to every logit: K = size(slopes) intervals of width 2T/K on [-T, T]
 * with slopes softplus(v), linear beyond +-T ({@link Mappings#plif}, {@link Losses#crossEntropy}).
 * The raw slopes v are a variable of the caller's graph: the framework's optimizers train them with
 * the model (the gradient reaches both the logits and v).
 *
 * <pre>{@code
 * Variable<TFloat32> slopes = tf.variable(tf.fill(tf.constant(new int[] {1000}), tf.constant(0.5413f)));
 * Loss loss = new PlifCrossEntropy(slopes, 10.0);   // softplus(0.5413) = 1: f starts as the identity
 * }</pre>
 */
public class PlifCrossEntropy extends LogitsLoss {
  /** Configuration keys. */
  public static final String RANGE = "range";
  public static final String KNOTS = "knots";
  /** The default range T of the knots, [-10, 10]. */
  public static final double RANGE_DEFAULT = 10.0;

  private final Operand<? extends TFloating> slopes;
  private final double range;

  /**
   * @param slopes the raw slopes v, rank 1 with K &gt;= 1 entries, of the predictions' dtype
   * @param range T &gt; 0: the knots cover [-T, T]
   */
  public PlifCrossEntropy(Operand<? extends TFloating> slopes, double range) {
    this(null, slopes, range, REDUCTION_DEFAULT, AXIS_DEFAULT);
  }

  /** The knots over [-10, 10]. */
  public PlifCrossEntropy(Operand<? extends TFloating> slopes) {
    this(slopes, RANGE_DEFAULT);
  }

  /**
   * @param name the loss's name and graph scope; null: "PlifCrossEntropy"
   * @param slopes the raw slopes v, rank 1 with K &gt;= 1 entries, of the predictions' dtype
   * @param range T &gt; 0
   * @param reduction how the per-example losses are combined
   * @param axis the class axis of the logits, negative counts from the end
   */
  public PlifCrossEntropy(String name, Operand<? extends TFloating> slopes, double range, Reduction reduction, int axis) {
    super(name, reduction, axis);
    if (slopes == null) {
      throw new IllegalArgumentException("slopes must be given (a rank-1 floating tensor), got null");
    }
    Shape s = slopes.shape();
    if (!s.isUnknown() && (s.numDimensions() != 1 || s.get(0) == 0)) {
      throw new IllegalArgumentException("slopes must have rank 1 and >= 1 entries (one per knot interval), got shape " + s);
    }
    this.slopes = slopes;
    this.range = Arguments.positive(RANGE, range);
  }

  /**
   * From a configuration map ({@code name}, {@code range} (10), {@code reduction} ("auto"),
   * {@code axis} (-1); {@code knots}, which {@link #getConfig} writes, must match the slopes) and
   * the raw slopes, which no map can hold.
   */
  public PlifCrossEntropy(Map<String, Object> config, Operand<? extends TFloating> slopes) {
    this(read(config, PlifCrossEntropy.class, RANGE, KNOTS), slopes);
  }

  private PlifCrossEntropy(Config c, Operand<? extends TFloating> slopes) {
    this(name(c), slopes, c.real(RANGE, RANGE_DEFAULT), reduction(c), axis(c));
    long knots = c.integer(KNOTS, -1);
    if (knots >= 0 && slopes.shape().numDimensions() == 1 && slopes.shape().get(0) >= 0 && knots != slopes.shape().get(0)) {
      throw new IllegalArgumentException(KNOTS + " must be the number of slopes, " + slopes.shape().get(0) + ", got " + knots);
    }
  }

  public Operand<? extends TFloating> getSlopes() {
    return slopes;
  }

  public double getRange() {
    return range;
  }

  /** {@code range} and, when the slopes' shape is known, {@code knots}. */
  @Override
  protected Map<String, Object> parameters() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put(RANGE, range);
    Shape s = slopes.shape();
    if (!s.isUnknown() && s.get(0) >= 0) {
      p.put(KNOTS, (int) s.get(0));
    }
    return p;
  }

  @Override
  @SuppressWarnings("unchecked")
  protected <T extends TFloating> Operand<T> perExample(
      Ops tf, Operand<T> logits, Operand<? extends TNumber> labels, LossOptions options) {
    if (slopes.type() != logits.type()) {
      throw new IllegalArgumentException("slopes must have the dtype of predictions (" + logits.asOutput().dataType()
          + "), got " + slopes.asOutput().dataType());
    }
    Operand<T> f = Mappings.plif(tf, logits, (Operand<T>) slopes, range);
    return Losses.crossEntropy(tf, f, labels, options);
  }
}
