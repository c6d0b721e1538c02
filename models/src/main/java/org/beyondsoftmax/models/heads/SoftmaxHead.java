package org.beyondsoftmax.models;

import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Linear-Softmax, the baseline: p = softmax(W h + b), W [M, d] the class embeddings, b [M]
 * optional. Its log-probability matrix over any set of contexts has rank &lt;= d + 2: the softmax
 * bottleneck (Yang et al. 2018). W can be tied to an input embedding (Press &amp; Wolf 2017).
 */
public final class LinearSoftmax<T extends TFloating> extends FullSupportHead<T> {
  public static final String NAME = "softmax";
  public static final boolean DEFAULT_BIAS = true;
  public static final boolean DEFAULT_TIED = false;

  private final Dense<T> classes;

  /**
   * @param bias whether to learn b
   * @param tied use {@code config.tiedEmbedding()} as W (then W is not one of this head's variables)
   */
  public LinearSoftmax(HeadConfig<T> config, boolean bias, boolean tied) {
    super(config, HeadSpec.of(NAME).withIfNot("bias", bias, DEFAULT_BIAS)
        .withIfNot("tied", tied, DEFAULT_TIED));
    this.classes = Dense.classes(params, bias, tied);
  }

  public LinearSoftmax(HeadConfig<T> config) {
    this(config, DEFAULT_BIAS, DEFAULT_TIED);
  }

  @Override
  protected Operand<T> scores(Ops tf, Operand<T> h) {
    return classes.apply(tf, h);
  }

  @Override
  public Optional<Operand<T>> classEmbeddings() {
    return Optional.of(classes.weights());
  }
}
