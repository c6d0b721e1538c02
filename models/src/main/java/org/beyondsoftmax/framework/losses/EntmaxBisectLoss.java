package org.beyondsoftmax.framework.losses;

import java.util.Map;
import org.beyondsoftmax.framework.Arguments;
import org.beyondsoftmax.framework.Config;
import org.beyondsoftmax.framework.activations.EntmaxBisect;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.tensorflow.Operand;
import org.tensorflow.framework.losses.Reduction;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TNumber;

/**
 * The alpha-entmax loss (Blondel, Martins &amp; Niculae 2020), Fenchel-Young with the Tsallis
 * alpha-entropy: l = sum_j p_j z_j + (1 - sum_j p_j^alpha)/(alpha (alpha - 1)) - z_y with
 * p = entmax_alpha(z) by bisection; alpha = 1 is the cross-entropy, 2 the sparsemax loss; gradient
 * p - onehot(y) ({@link Losses#entmaxBisectLoss}). The loss to train
 * {@link EntmaxBisect} (same alpha): give it the logits.
 */
public class EntmaxBisectLoss extends LogitsLoss {
  private final double alpha;

  /** alpha = 1.5, reduction AUTO, class axis -1. */
  public EntmaxBisectLoss() {
    this(EntmaxBisect.ALPHA_DEFAULT);
  }

  /** @param alpha &gt;= 1 */
  public EntmaxBisectLoss(double alpha) {
    this(null, alpha, REDUCTION_DEFAULT, AXIS_DEFAULT);
  }

  /**
   * @param name the loss's name and graph scope; null: "EntmaxBisectLoss"
   * @param alpha &gt;= 1
   * @param reduction how the per-example losses are combined
   * @param axis the class axis of the logits, negative counts from the end
   */
  public EntmaxBisectLoss(String name, double alpha, Reduction reduction, int axis) {
    super(name, reduction, axis);
    this.alpha = Arguments.atLeast(EntmaxBisect.ALPHA, alpha, 1);
  }

  /** From a configuration map: {@code name}, {@code alpha} (1.5), {@code reduction} ("auto"), {@code axis} (-1). */
  public EntmaxBisectLoss(Map<String, Object> config) {
    this(read(config, EntmaxBisectLoss.class, EntmaxBisect.ALPHA));
  }

  private EntmaxBisectLoss(Config c) {
    this(name(c), c.real(EntmaxBisect.ALPHA, EntmaxBisect.ALPHA_DEFAULT), reduction(c), axis(c));
  }

  public double getAlpha() {
    return alpha;
  }

  @Override
  protected Map<String, Object> parameters() {
    return Map.of(EntmaxBisect.ALPHA, alpha);
  }

  @Override
  protected <T extends TFloating> Operand<T> perExample(
      Ops tf, Operand<T> logits, Operand<? extends TNumber> labels, LossOptions options) {
    return Losses.entmaxBisectLoss(tf, logits, labels, alpha, options);
  }
}
