package org.beyondsoftmax.models;

import java.util.Optional;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TIntegral;

/**
 * Taylor softmax (de Brébisson &amp; Vincent 2016, "An Exploration of Softmax Alternatives
 * Belonging to the Spherical Loss Family"): p_i = f(z_i) / sum_j f(z_j), z = W h + b,
 * f(z) = sum_{k=0..n} z^k/k! with n even, so f &gt; 0 and the support is full. Not shift invariant.
 * Loss: {@link Losses#taylorCrossEntropy}.
 */
public final class TaylorSoftmaxHead<T extends TFloating> extends FullSupportHead<T> {
  public static final String NAME = "taylor";
  public static final int DEFAULT_ORDER = 2;
  public static final boolean DEFAULT_BIAS = true;

  private final Dense<T> classes;
  private final int order;

  /** @param order n, even and &gt;= 2 */
  public TaylorSoftmaxHead(HeadConfig<T> config, int order, boolean bias) {
    super(config, HeadSpec.of(NAME).withIfNot("order", order, DEFAULT_ORDER)
        .withIfNot("bias", bias, DEFAULT_BIAS));
    if (order < 2 || order % 2 != 0) {
      throw new IllegalArgumentException("order must be even and >= 2, got " + order);
    }
    this.order = order;
    this.classes = Dense.classes(params, bias, false);
  }

  public TaylorSoftmaxHead(HeadConfig<T> config) {
    this(config, DEFAULT_ORDER, DEFAULT_BIAS);
  }

  /** log p: the Taylor probabilities are bounded away from 0, so their log is finite. */
  @Override
  protected Operand<T> scores(Ops tf, Operand<T> h) {
    return tf.math.log(Mappings.taylorSoftmax(tf, classes.apply(tf, h), order));
  }

  @Override
  public Operand<T> loss(Operand<T> h, Operand<? extends TIntegral> labels) {
    Call<T> c = call("loss", h);
    Ops s = c.tf();
    return Losses.taylorCrossEntropy(s, classes.apply(s, c.h()), labels, order);
  }

  @Override
  public Optional<Operand<T>> classEmbeddings() {
    return Optional.of(classes.weights());
  }
}
