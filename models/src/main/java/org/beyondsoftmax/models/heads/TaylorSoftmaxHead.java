package org.beyondsoftmax.models.heads;

import java.util.List;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Option;
import org.beyondsoftmax.models.spec.Spec;
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
  /** n, the even order of the Taylor series of exp. */
  public static final Option<Integer> ORDER = Option.integer("order", 2, v -> v >= 2 && v % 2 == 0,
      "even and >= 2", "even order of the Taylor series of exp");
  public static final Kind<HeadFactory> KIND = Kind.of("taylor",
      "Taylor softmax (de Brebisson & Vincent 2016)", List.of(ORDER, HeadOptions.BIAS), TaylorSoftmaxHead::new);

  private final int order;

  public TaylorSoftmaxHead(HeadConfig<T> config, Spec<HeadFactory> spec) {
    super(config, spec, List.of(KIND));
    this.order = spec.get(ORDER);
    classLayer(spec.get(HeadOptions.BIAS), false);
  }

  public TaylorSoftmaxHead(HeadConfig<T> config, int order, boolean bias) {
    this(config, KIND.spec().with(ORDER, order).with(HeadOptions.BIAS, bias));
  }

  public TaylorSoftmaxHead(HeadConfig<T> config) {
    this(config, KIND.spec());
  }

  /** log p: the Taylor probabilities are bounded away from 0, so their log is finite. */
  @Override
  protected Operand<T> scores(Ops tf, Operand<T> h) {
    return tf.math.log(Mappings.taylorSoftmax(tf, logits(tf, h), order));
  }

  @Override
  public Operand<T> loss(Operand<T> h, Operand<? extends TIntegral> labels) {
    Call<T> c = call("loss", h);
    return Losses.taylorCrossEntropy(c.tf(), logits(c.tf(), c.h()), labels, order);
  }

}
