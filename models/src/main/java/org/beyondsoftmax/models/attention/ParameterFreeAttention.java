package org.beyondsoftmax.models.attention;

import java.util.List;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Spec;
import org.beyondsoftmax.ops.AttentionNormalisers;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TFloating;

/**
 * The attention normalisers that learn nothing and take no options, one {@code Kind} each: the
 * op of {@link AttentionNormalisers} over the keys, masked keys weighing 0.
 */
public final class ParameterFreeAttention<T extends TFloating> extends AbstractNormaliser<T> {
  /** The op over the keys of [B, H, Tq, Tk] scores. */
  @FunctionalInterface
  private interface Normaliser {
    <T extends TFloating> Operand<T> apply(Ops tf, Operand<T> scores, Operand<TBool> mask);
  }

  /**
   * Softmax attention (Bahdanau et al. 2015; Vaswani et al. 2017): p_j = exp(z_j) / sum_k exp(z_k)
   * over the keys that take part; dense, flattening towards uniform as the number of keys grows.
   */
  public static final Kind<AttentionFactory> SOFTMAX =
      kind("softmax", "softmax over the keys, the baseline", AttentionNormalisers::softmax);

  /**
   * Sparsemax attention (Martins &amp; Astudillo 2016): p = max(z - tau, 0), sum(p) = 1; keys below
   * the threshold weigh exactly 0.
   */
  public static final Kind<AttentionFactory> SPARSEMAX = kind("sparsemax",
      "sparsemax over the keys: exact zeros (Martins & Astudillo 2016)", AttentionNormalisers::sparsemax);

  /**
   * Softpick (Zuhri, Fuadi &amp; Aji 2025): p_j = relu(e^z_j - 1) / (sum_k |e^z_k - 1| + eps),
   * eps = {@value AttentionNormalisers#SOFTPICK_EPS}; weights in [0, 1] summing to at most 1, so a
   * head can attend to nothing (no attention sink).
   */
  public static final Kind<AttentionFactory> SOFTPICK = kind("softpick",
      "rectified softmax relu(e^z - 1) / sum |e^z - 1|: may attend to nothing (Zuhri et al. 2025)",
      AttentionNormalisers::softpick);

  /**
   * Sigmoid attention (Ramapuram et al. 2024): p_j = sigmoid(z_j - log n) over the n keys that take
   * part, each key weighed on its own (not normalised; about 1 in all for scores near 0).
   */
  public static final Kind<AttentionFactory> SIGMOID = kind("sigmoid",
      "sigmoid(z - log n) per key, not normalised (Ramapuram et al. 2024)", AttentionNormalisers::sigmoid);

  private final Normaliser normaliser;

  private ParameterFreeAttention(AttentionConfig<T> config, Spec<AttentionFactory> spec, Normaliser normaliser) {
    super(config, spec, spec.kind());
    this.normaliser = normaliser;
  }

  private static Kind<AttentionFactory> kind(String name, String description, Normaliser normaliser) {
    return Kind.of(name, description, List.of(), (config, spec) -> create(config, spec, normaliser));
  }

  private static <T extends TFloating> ParameterFreeAttention<T> create(
      AttentionConfig<T> config, Spec<AttentionFactory> spec, Normaliser normaliser) {
    return new ParameterFreeAttention<>(config, spec, normaliser);
  }

  @Override
  protected Operand<T> normalise(Ops tf, Operand<T> scores, Operand<TBool> mask) {
    return normaliser.apply(tf, scores, mask);
  }
}
