package org.beyondsoftmax.framework.activations;

import java.util.Map;
import org.beyondsoftmax.framework.Config;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Taylor softmax (de Brébisson &amp; Vincent 2016, "An Exploration of Softmax Alternatives
 * Belonging to the Spherical Loss Family"): p_i = f(x_i) / sum_j f(x_j) with
 * f(x) = sum_{k=0..order} x^k / k!, positive for an even order ({@link Mappings#taylorSoftmax});
 * full support.
 */
public class TaylorSoftmax extends MappingActivation {
  /** The name, as {@link BeyondActivations#create(String)} knows it. */
  public static final String NAME = "taylor_softmax";
  /** The configuration key of the order. */
  public static final String ORDER = "order";
  /** The default order, 2: f(x) = 1 + x + x^2/2. */
  public static final int ORDER_DEFAULT = 2;

  private final int order;

  /** The second-order Taylor softmax along the last axis. */
  public TaylorSoftmax() {
    this(ORDER_DEFAULT);
  }

  /** @param order even and &gt;= 2 */
  public TaylorSoftmax(int order) {
    this(order, AXIS_DEFAULT);
  }

  /**
   * @param order even and &gt;= 2
   * @param axis the class axis, negative counts from the end
   */
  public TaylorSoftmax(int order, int axis) {
    super(NAME, false, axis, Map.of(ORDER, checkOrder(order)));
    this.order = order;
  }

  /** {@code order} if it is even and &gt;= 2, else an {@link IllegalArgumentException}. */
  public static int checkOrder(int order) {
    if (order < 2 || order % 2 != 0) {
      throw new IllegalArgumentException(ORDER + " must be even and >= 2, got " + order);
    }
    return order;
  }

  /** From a configuration map: {@code name} ("taylor_softmax"), {@code order} (2), {@code axis} (-1). */
  public TaylorSoftmax(Map<String, Object> config) {
    this(read(config, NAME, ORDER));
  }

  private TaylorSoftmax(Config c) {
    this(c.integer(ORDER, ORDER_DEFAULT), axis(c));
  }

  public int getOrder() {
    return order;
  }

  @Override
  protected <T extends TFloating> Operand<T> map(Ops tf, Operand<T> x, int axis) {
    return Mappings.taylorSoftmax(tf, x, order, axis);
  }
}
