package org.beyondsoftmax.models.heads;

import java.util.List;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Registry;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.types.family.TFloating;

/**
 * Every head by name: the registry of head kinds (each declared once, as {@code KIND} beside its
 * class) and the one way to build a head from spec text, used by Java callers and the command line
 * alike. Syntax: {@link org.beyondsoftmax.models.spec.SpecText}, e.g.
 * {@code Heads.create("plif:knots=1000,range=20", config)}; parse once with {@link #parse} and
 * pass the typed {@link Spec} on.
 */
public final class Heads {
  /** The head kinds, in the order help texts list them. */
  public static final Registry<HeadFactory> REGISTRY = new Registry<>("head", List.of(
      SoftmaxHead.KIND, SigsoftmaxHead.KIND, MixtureOfSoftmaxesHead.MOS,
      MixtureOfSoftmaxesHead.MOS_SIGSOFTMAX, MixtureOfSoftmaxesHead.MOS_PLIF, PlifHead.KIND,
      MonotonicMlpHead.KIND, SparsemaxHead.KIND, EntmaxHead.KIND, TopKSoftmaxHead.KIND,
      TaylorSoftmaxHead.KIND, AmSoftmaxHead.KIND));

  /**
   * The heads the experiments and benchmarks compare when none are named: the baseline, the
   * rank-bottleneck remedies and the sparse mappings.
   */
  public static final String DEFAULT_LIST = "softmax,sigsoftmax,mos,plif,sparsemax,entmax";

  private Heads() {}

  /**
   * Parses one head spec ("name" or "name:key=value,...").
   *
   * @throws IllegalArgumentException for an unknown head or option (listing the valid ones), or an
   *     option value that does not parse or is out of range; the message starts with the spec
   */
  public static Spec<HeadFactory> parse(String spec) {
    return REGISTRY.parse(spec);
  }

  /** Parses a list of head specs separated by ';' or ','. */
  public static List<Spec<HeadFactory>> parseList(String specs) {
    return REGISTRY.parseList(specs);
  }

  /** Builds the head {@code spec} ("name" or "name:key=value,...") with {@code config}. */
  public static <T extends TFloating> OutputHead<T> create(String spec, HeadConfig<T> config) {
    return create(parse(spec), config);
  }

  /** Builds the head {@code spec} with {@code config}. */
  @SuppressWarnings("unchecked")
  public static <T extends TFloating> OutputHead<T> create(Spec<HeadFactory> spec, HeadConfig<T> config) {
    try {
      return (OutputHead<T>) spec.kind().factory().create(config, spec);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("head '" + spec + "': " + e.getMessage(), e);
    }
  }

  /** The registered head kinds, in a stable order. */
  public static List<Kind<HeadFactory>> kinds() {
    return REGISTRY.kinds();
  }

  public static List<String> names() {
    return REGISTRY.names();
  }

  /** Two lines per head: name and description; options with defaults. */
  public static String help() {
    return REGISTRY.help();
  }
}
