package org.beyondsoftmax.framework.activations;

import java.util.Map;
import org.beyondsoftmax.framework.Config;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Top-k softmax: the softmax over the k largest logits of each row, exactly 0 elsewhere (entries
 * tied with the k-th largest are kept; {@link Mappings#topKSoftmax}).
 *
 * <p>Train with {@link org.beyondsoftmax.framework.losses.TopKSoftmaxLoss} on the logits, not with
 * a cross-entropy on these probabilities: the framework's {@code CategoricalCrossentropy} clips a
 * label probability of 0 to 1e-7 and gives a finite loss with zero gradient on the label.
 */
public class TopKSoftmax extends MappingActivation {
  /** The name, as {@link BeyondActivations#create(String)} knows it. */
  public static final String NAME = "topk_softmax";
  /** The configuration key of k. */
  public static final String K = "k";
  /** The default k, 10. */
  public static final int K_DEFAULT = 10;

  private final int k;

  /** The softmax over the 10 largest logits, along the last axis. */
  public TopKSoftmax() {
    this(K_DEFAULT);
  }

  /** @param k &gt;= 1; larger than the class axis means the whole axis */
  public TopKSoftmax(int k) {
    this(k, AXIS_DEFAULT);
  }

  /**
   * @param k &gt;= 1; larger than the class axis means the whole axis
   * @param axis the class axis, negative counts from the end
   */
  public TopKSoftmax(int k, int axis) {
    super(NAME, true, axis, Map.of(K, checkK(k)));
    this.k = k;
  }

  /** {@code k} if it is &gt;= 1, else an {@link IllegalArgumentException}. */
  public static int checkK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException(K + " must be >= 1, got " + k);
    }
    return k;
  }

  /** From a configuration map: {@code name} ("topk_softmax"), {@code k} (10), {@code axis} (-1). */
  public TopKSoftmax(Map<String, Object> config) {
    this(read(config, NAME, K));
  }

  private TopKSoftmax(Config c) {
    this(c.integer(K, K_DEFAULT), axis(c));
  }

  public int getK() {
    return k;
  }

  @Override
  protected <T extends TFloating> Operand<T> map(Ops tf, Operand<T> x, int axis) {
    return Mappings.topKSoftmax(tf, x, k, axis);
  }
}
