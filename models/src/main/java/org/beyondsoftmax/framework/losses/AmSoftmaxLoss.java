package org.beyondsoftmax.framework.losses;

import java.util.LinkedHashMap;
import java.util.Map;
import org.beyondsoftmax.framework.Arguments;
import org.beyondsoftmax.framework.Config;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.tensorflow.Operand;
import org.tensorflow.framework.losses.Reduction;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TNumber;

/**
 * The additive-margin softmax loss (Wang et al. 2018, "Additive Margin Softmax for Face
 * Verification"; CosFace): the cross-entropy of s (cos - m onehot(y)), the label's cosine lowered
 * by the margin m before scaling by s ({@link Losses#amSoftmaxLoss}). <b>Predictions are cosine
 * similarities</b> in [-1, 1] between normalised features and normalised class weights, not free
 * logits.
 */
public class AmSoftmaxLoss extends LogitsLoss {
  /** Configuration keys. */
  public static final String SCALE = "scale";
  public static final String MARGIN = "margin";
  /** The defaults of Wang et al.: s = 30, m = 0.35. */
  public static final double SCALE_DEFAULT = 30.0;
  public static final double MARGIN_DEFAULT = 0.35;

  private final double scale;
  private final double margin;

  /** s = 30, m = 0.35, reduction AUTO, class axis -1. */
  public AmSoftmaxLoss() {
    this(SCALE_DEFAULT, MARGIN_DEFAULT);
  }

  /**
   * @param scale s &gt; 0
   * @param margin m &gt;= 0
   */
  public AmSoftmaxLoss(double scale, double margin) {
    this(null, scale, margin, REDUCTION_DEFAULT, AXIS_DEFAULT);
  }

  /**
   * @param name the loss's name and graph scope; null: "AmSoftmaxLoss"
   * @param scale s &gt; 0
   * @param margin m &gt;= 0
   * @param reduction how the per-example losses are combined
   * @param axis the class axis of the cosines, negative counts from the end
   */
  public AmSoftmaxLoss(String name, double scale, double margin, Reduction reduction, int axis) {
    super(name, reduction, axis);
    this.scale = Arguments.positive(SCALE, scale);
    this.margin = Arguments.atLeast(MARGIN, margin, 0);
  }

  /**
   * From a configuration map: {@code name}, {@code scale} (30), {@code margin} (0.35),
   * {@code reduction} ("auto"), {@code axis} (-1).
   */
  public AmSoftmaxLoss(Map<String, Object> config) {
    this(read(config, AmSoftmaxLoss.class, SCALE, MARGIN));
  }

  private AmSoftmaxLoss(Config c) {
    this(name(c), c.real(SCALE, SCALE_DEFAULT), c.real(MARGIN, MARGIN_DEFAULT), reduction(c), axis(c));
  }

  public double getScale() {
    return scale;
  }

  public double getMargin() {
    return margin;
  }

  @Override
  protected Map<String, Object> parameters() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put(SCALE, scale);
    p.put(MARGIN, margin);
    return p;
  }

  @Override
  protected <T extends TFloating> Operand<T> perExample(
      Ops tf, Operand<T> logits, Operand<? extends TNumber> labels, LossOptions options) {
    return Losses.amSoftmaxLoss(tf, logits, labels, scale, margin, options);
  }
}
