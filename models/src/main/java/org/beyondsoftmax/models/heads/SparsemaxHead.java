package org.beyondsoftmax.models;

import java.util.Optional;
import org.beyondsoftmax.ops.Entropies;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TIntegral;

/**
 * Sparsemax (Martins &amp; Astudillo 2016, "From Softmax to Sparsemax"): p = sparsemax(W h + b),
 * the Euclidean projection onto the simplex, with exact zeros. Trained with the sparsemax loss,
 * the Fenchel-Young loss of the Gini entropy H(p) = (1 - sum p^2)/2 ({@link Losses#sparsemaxLoss}).
 */
public final class SparsemaxHead<T extends TFloating> extends FenchelYoungHead<T> {
  public static final String NAME = "sparsemax";
  public static final boolean DEFAULT_BIAS = true;

  private final Dense<T> classes;

  public SparsemaxHead(HeadConfig<T> config, boolean bias) {
    super(config, HeadSpec.of(NAME).withIfNot("bias", bias, DEFAULT_BIAS));
    this.classes = Dense.classes(params, bias, false);
  }

  public SparsemaxHead(HeadConfig<T> config) {
    this(config, DEFAULT_BIAS);
  }

  @Override
  protected Operand<T> scores(Ops tf, Operand<T> h) {
    return classes.apply(tf, h);
  }

  @Override
  protected Operand<T> map(Ops tf, Operand<T> z) {
    return Mappings.sparsemax(tf, z);
  }

  @Override
  protected Operand<T> entropy(Ops tf, Operand<T> p) {
    return tf.stopGradient(Entropies.gini(tf, p));
  }

  @Override
  public Operand<T> loss(Operand<T> h, Operand<? extends TIntegral> labels) {
    Call<T> c = call("loss", h);
    Ops s = c.tf();
    return Losses.sparsemaxLoss(s, scores(s, c.h()), labels);
  }

  @Override
  public Optional<Operand<T>> classEmbeddings() {
    return Optional.of(classes.weights());
  }
}
