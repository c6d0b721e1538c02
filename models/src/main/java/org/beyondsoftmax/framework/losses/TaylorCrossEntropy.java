package org.beyondsoftmax.framework.losses;

import java.util.Map;
import org.beyondsoftmax.framework.Config;
import org.beyondsoftmax.framework.activations.TaylorSoftmax;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.tensorflow.Operand;
import org.tensorflow.framework.losses.Reduction;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TNumber;

/**
 * The Taylor cross-entropy (de Brébisson &amp; Vincent 2016): -log of the Taylor softmax at the
 * label, l = log sum_j f(z_j) - log f(z_y), f(z) = sum_{i=0..order} z^i / i!
 * ({@link Losses#taylorCrossEntropy}). The loss to train {@link TaylorSoftmax} (same order): give
 * it the logits.
 */
public class TaylorCrossEntropy extends LogitsLoss {
  private final int order;

  /** order 2, reduction AUTO, class axis -1. */
  public TaylorCrossEntropy() {
    this(TaylorSoftmax.ORDER_DEFAULT);
  }

  /** @param order even and &gt;= 2 */
  public TaylorCrossEntropy(int order) {
    this(null, order, REDUCTION_DEFAULT, AXIS_DEFAULT);
  }

  /**
   * @param name the loss's name and graph scope; null: "TaylorCrossEntropy"
   * @param order even and &gt;= 2
   * @param reduction how the per-example losses are combined
   * @param axis the class axis of the logits, negative counts from the end
   */
  public TaylorCrossEntropy(String name, int order, Reduction reduction, int axis) {
    super(name, reduction, axis);
    this.order = TaylorSoftmax.checkOrder(order);
  }

  /** From a configuration map: {@code name}, {@code order} (2), {@code reduction} ("auto"), {@code axis} (-1). */
  public TaylorCrossEntropy(Map<String, Object> config) {
    this(read(config, TaylorCrossEntropy.class, TaylorSoftmax.ORDER));
  }

  private TaylorCrossEntropy(Config c) {
    this(name(c), c.integer(TaylorSoftmax.ORDER, TaylorSoftmax.ORDER_DEFAULT), reduction(c), axis(c));
  }

  public int getOrder() {
    return order;
  }

  @Override
  protected Map<String, Object> parameters() {
    return Map.of(TaylorSoftmax.ORDER, order);
  }

  @Override
  protected <T extends TFloating> Operand<T> perExample(
      Ops tf, Operand<T> logits, Operand<? extends TNumber> labels, LossOptions options) {
    return Losses.taylorCrossEntropy(tf, logits, labels, order, options);
  }
}
