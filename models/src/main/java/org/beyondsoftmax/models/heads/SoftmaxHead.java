package org.beyondsoftmax.models.heads;

import java.util.List;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Option;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Linear-Softmax, the baseline: p = softmax(W h + b), W [M, d] the class embeddings, b [M]
 * optional. Its log-probability matrix over any set of contexts has rank &lt;= d + 2: the softmax
 * bottleneck (Yang et al. 2018). W can be tied to an input embedding (Press &amp; Wolf 2017).
 */
public final class SoftmaxHead<T extends TFloating> extends FullSupportHead<T> {
  /** Use the config's input embedding as the class embeddings W. */
  public static final Option<Boolean> TIED =
      Option.flag("tied", false, "use the config's input embedding as class embeddings");
  public static final Kind<HeadFactory> KIND = Kind.of("softmax",
      "linear softmax, the baseline (rank <= d + 2)", List.of(HeadOptions.BIAS, TIED), SoftmaxHead::new);

  public SoftmaxHead(HeadConfig<T> config, Spec<HeadFactory> spec) {
    super(config, spec, List.of(KIND));
    classLayer(spec.get(HeadOptions.BIAS), spec.get(TIED));
  }

  /**
   * @param bias whether to learn b
   * @param tied use {@code config.tiedEmbedding()} as W (then W is not one of this head's variables)
   */
  public SoftmaxHead(HeadConfig<T> config, boolean bias, boolean tied) {
    this(config, KIND.spec().with(HeadOptions.BIAS, bias).with(TIED, tied));
  }

  public SoftmaxHead(HeadConfig<T> config) {
    this(config, KIND.spec());
  }

  @Override
  protected Operand<T> scores(Ops tf, Operand<T> h) {
    return logits(tf, h);
  }

}
