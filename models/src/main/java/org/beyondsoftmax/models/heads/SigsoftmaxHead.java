package org.beyondsoftmax.models;

import java.util.Optional;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Sigsoftmax (Kanai et al. 2018, "Sigsoftmax: Reanalysis of the Softmax Bottleneck"):
 * p_i = exp(z_i) sigmoid(z_i) / sum_j exp(z_j) sigmoid(z_j), z = W h + b. Scores
 * s = log_sigsoftmax(z) ({@link Mappings#logSigsoftmax}), whose log-probability matrix is not
 * limited to rank d + 2.
 */
public final class Sigsoftmax<T extends TFloating> extends FullSupportHead<T> {
  public static final String NAME = "sigsoftmax";
  public static final boolean DEFAULT_BIAS = true;

  private final Dense<T> classes;

  public Sigsoftmax(HeadConfig<T> config, boolean bias) {
    super(config, HeadSpec.of(NAME).withIfNot("bias", bias, DEFAULT_BIAS));
    this.classes = Dense.classes(params, bias, false);
  }

  public Sigsoftmax(HeadConfig<T> config) {
    this(config, DEFAULT_BIAS);
  }

  @Override
  protected Operand<T> scores(Ops tf, Operand<T> h) {
    return Mappings.logSigsoftmax(tf, classes.apply(tf, h));
  }

  @Override
  public Optional<Operand<T>> classEmbeddings() {
    return Optional.of(classes.weights());
  }
}
