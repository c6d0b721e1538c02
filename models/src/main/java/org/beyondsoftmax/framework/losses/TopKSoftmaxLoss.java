package org.beyondsoftmax.framework.losses;

import java.util.Map;
import org.beyondsoftmax.framework.Config;
import org.beyondsoftmax.framework.activations.TopKSoftmax;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.tensorflow.Operand;
import org.tensorflow.framework.losses.Reduction;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TNumber;

/**
 * The top-k softmax loss ("sparse softmax", Sun et al. 2021): the cross-entropy over the k
 * largest logits and the label's, l = log sum_{j in topk(z) + {y}} exp(z_j) - z_y; gradient
 * p - onehot(y) with p the softmax over that set ({@link Losses#topKSoftmaxLoss}). The loss to
 * train {@link TopKSoftmax} (same k): give it the logits.
 */
public class TopKSoftmaxLoss extends LogitsLoss {
  private final int k;

  /** k = 10, reduction AUTO, class axis -1. */
  public TopKSoftmaxLoss() {
    this(TopKSoftmax.K_DEFAULT);
  }

  /** @param k &gt;= 1; larger than the class axis means the plain cross-entropy */
  public TopKSoftmaxLoss(int k) {
    this(null, k, REDUCTION_DEFAULT, AXIS_DEFAULT);
  }

  /**
   * @param name the loss's name and graph scope; null: "TopKSoftmaxLoss"
   * @param k &gt;= 1
   * @param reduction how the per-example losses are combined
   * @param axis the class axis of the logits, negative counts from the end
   */
  public TopKSoftmaxLoss(String name, int k, Reduction reduction, int axis) {
    super(name, reduction, axis);
    this.k = TopKSoftmax.checkK(k);
  }

  /** From a configuration map: {@code name}, {@code k} (10), {@code reduction} ("auto"), {@code axis} (-1). */
  public TopKSoftmaxLoss(Map<String, Object> config) {
    this(read(config, TopKSoftmaxLoss.class, TopKSoftmax.K));
  }

  private TopKSoftmaxLoss(Config c) {
    this(name(c), c.integer(TopKSoftmax.K, TopKSoftmax.K_DEFAULT), reduction(c), axis(c));
  }

  public int getK() {
    return k;
  }

  @Override
  protected Map<String, Object> parameters() {
    return Map.of(TopKSoftmax.K, k);
  }

  @Override
  protected <T extends TFloating> Operand<T> perExample(
      Ops tf, Operand<T> logits, Operand<? extends TNumber> labels, LossOptions options) {
    return Losses.topKSoftmaxLoss(tf, logits, labels, k, options);
  }
}
