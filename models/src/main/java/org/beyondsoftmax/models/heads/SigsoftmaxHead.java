package org.beyondsoftmax.models.heads;

import java.util.List;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Spec;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TIntegral;

/**
 * Sigsoftmax (Kanai et al. 2018, "Sigsoftmax: Reanalysis of the Softmax Bottleneck"):
 * p_i = exp(z_i) sigmoid(z_i) / sum_j exp(z_j) sigmoid(z_j), z = W h + b. Scores
 * s = log_sigsoftmax(z) ({@link Mappings#logSigsoftmax}), whose log-probability matrix is not
 * limited to rank d + 2.
 */
public final class SigsoftmaxHead<T extends TFloating> extends FullSupportHead<T> {
  public static final Kind<HeadFactory> KIND = Kind.of("sigsoftmax",
      "sigsoftmax, exp(z) sigmoid(z) normalised (Kanai et al. 2018)", List.of(HeadOptions.BIAS),
      SigsoftmaxHead::new);

  public SigsoftmaxHead(HeadConfig<T> config, Spec<HeadFactory> spec) {
    super(config, spec, List.of(KIND));
    classLayer(spec.get(HeadOptions.BIAS), false);
  }

  public SigsoftmaxHead(HeadConfig<T> config, boolean bias) {
    this(config, KIND.spec().with(HeadOptions.BIAS, bias));
  }

  public SigsoftmaxHead(HeadConfig<T> config) {
    this(config, KIND.spec());
  }

  /**
   * Cross-entropy of the sigsoftmax in one op ({@link Losses#sigsoftmaxCrossEntropy}: a fused CPU
   * kernel when loaded).
   */
  @Override
  public Operand<T> loss(Operand<T> h, Operand<? extends TIntegral> labels) {
    Call<T> c = call("loss", h);
    return Losses.sigsoftmaxCrossEntropy(c.tf(), logits(c.tf(), c.h()), labels);
  }

  @Override
  protected Operand<T> scores(Ops tf, Operand<T> h) {
    return Mappings.logSigsoftmax(tf, logits(tf, h));
  }

}
