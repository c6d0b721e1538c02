package org.beyondsoftmax.models.attention;

import java.util.List;
import org.beyondsoftmax.models.spec.Registry;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.types.family.TFloating;

/**
 * Every attention normaliser by name: the registry of kinds (each declared once, beside its class:
 * {@code KIND} of {@link EntmaxAttention} and {@link ScalableSoftmaxAttention}, one constant per
 * kind of {@link ParameterFreeAttention}) and the one way to build a normaliser from spec text,
 * for Java callers and the command line alike. Syntax: {@link org.beyondsoftmax.models.spec.SpecText}, e.g.
 * {@code entmax:alpha=1.5,learn-alpha=true} or {@code ssmax:s=1,learn-s=true}; parse once with
 * {@link #parse} and pass the typed {@link Spec} on; {@link #REGISTRY} lists the kinds and their
 * help.
 */
public final class Normalisers {
  /** The normaliser kinds, in the order help texts list them. */
  public static final Registry<AttentionFactory> REGISTRY = new Registry<>("attention normaliser", List.of(
      ParameterFreeAttention.SOFTMAX, ParameterFreeAttention.SPARSEMAX, EntmaxAttention.KIND,
      ScalableSoftmaxAttention.KIND, ParameterFreeAttention.SOFTPICK, ParameterFreeAttention.SIGMOID));

  private Normalisers() {}

  /**
   * Parses one normaliser spec ("name" or "name:key=value,...").
   *
   * @throws IllegalArgumentException for an unknown normaliser or option (listing the valid ones),
   *     or an option value that does not parse or is out of range; the message names the spec
   */
  public static Spec<AttentionFactory> parse(String spec) {
    return REGISTRY.parse(spec);
  }

  /** Builds the normaliser {@code spec} for {@code config}'s heads. */
  @SuppressWarnings("unchecked")
  public static <T extends TFloating> AttentionNormaliser<T> create(Spec<AttentionFactory> spec,
      AttentionConfig<T> config) {
    try {
      return (AttentionNormaliser<T>) spec.kind().factory().create(config, spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("attention normaliser '" + spec + "': " + e.getMessage(), e);
    }
  }
}
