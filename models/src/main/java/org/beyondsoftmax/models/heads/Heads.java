package org.beyondsoftmax.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TFloating;

/**
 * Every head by name, with its options and their defaults: the one way to build a head from text,
 * used by Java callers and the command line alike. Syntax: {@link HeadSpec}, e.g.
 * {@code Heads.create("plif:knots=1000,range=20", config)}.
 */
public final class Heads {
  /** Builds a head from its config and its options (which it reads with their defaults). */
  @FunctionalInterface
  public interface Factory {
    OutputHead<?> create(HeadConfig<?> config, HeadOptions options);
  }

  /** One head type: its name, a one-line description, its declared options, its factory. */
  public record Type(String name, String description, List<HeadOptions.Option> options, Factory factory) {}

  private static final HeadOptions.Option BIAS = HeadOptions.Option.of("bias", true, "learn a bias per class");
  private static final HeadOptions.Option COMPONENTS = HeadOptions.Option.of(
      "components", MixtureOfSoftmaxes.DEFAULT_COMPONENTS, "K, the number of softmax components");
  private static final Map<String, Type> TYPES = new LinkedHashMap<>();

  static {
    add(LinearSoftmax.NAME, "linear softmax, the baseline (rank <= d + 2)",
        List.of(BIAS, HeadOptions.Option.of("tied", LinearSoftmax.DEFAULT_TIED,
            "use the config's input embedding as class embeddings")),
        (c, o) -> new LinearSoftmax<>(c, o.flag("bias"), o.flag("tied")));
    add(Sigsoftmax.NAME, "sigsoftmax, exp(z) sigmoid(z) normalised (Kanai et al. 2018)",
        List.of(BIAS), (c, o) -> new Sigsoftmax<>(c, o.flag("bias")));
    for (MixtureOfSoftmaxes.Component k : MixtureOfSoftmaxes.Component.values()) {
      List<HeadOptions.Option> options = new ArrayList<>(List.of(COMPONENTS, BIAS));
      if (k == MixtureOfSoftmaxes.Component.PLIF) {
        options.addAll(PlifSettings.OPTIONS);
      }
      add(k.headName, switch (k) {
            case SOFTMAX -> "mixture of softmaxes (Yang et al. 2018)";
            case SIGSOFTMAX -> "mixture of sigsoftmaxes (Kanai et al. 2018)";
            case PLIF -> "mixture of softmaxes over one shared PLIF (Ganea et al. 2019)";
          }, options,
          (c, o) -> new MixtureOfSoftmaxes<>(c, o.integer("components"), o.flag("bias"), k,
              k == MixtureOfSoftmaxes.Component.PLIF ? PlifSettings.read(o) : PlifSettings.DEFAULTS));
    }
    List<HeadOptions.Option> plif = new ArrayList<>(PlifSettings.OPTIONS);
    plif.add(BIAS);
    add(LmsPlif.NAME, "LMS-PLIF: learned piecewise-linear increasing function before softmax (Ganea et al. 2019)",
        plif, (c, o) -> new LmsPlif<>(c, PlifSettings.read(o), o.flag("bias")));
    add(LmsMonotonicMlp.NAME, "LMS with an increasing one-hidden-layer MLP (Daniels & Velikova 2010)",
        List.of(HeadOptions.Option.of("units", MonotonicMlp.DEFAULT_UNITS, "K hidden units"),
            HeadOptions.Option.of("range", MonotonicMlp.DEFAULT_RANGE, "initial sigmoid centres on [-range, range]"),
            BIAS),
        (c, o) -> new LmsMonotonicMlp<>(c, o.integer("units"), o.real("range"), o.flag("bias")));
    add(SparsemaxHead.NAME, "sparsemax with the sparsemax loss (Martins & Astudillo 2016)",
        List.of(BIAS), (c, o) -> new SparsemaxHead<>(c, o.flag("bias")));
    add(EntmaxHead.NAME, "alpha-entmax with its Fenchel-Young loss (Peters et al. 2019)",
        List.of(HeadOptions.Option.of("alpha", EntmaxHead.DEFAULT_ALPHA, "alpha in (1, 2] (initial value if learned)"),
            HeadOptions.Option.of("learn-alpha", EntmaxHead.DEFAULT_LEARN_ALPHA, "learn alpha in (1, 2)"),
            BIAS),
        (c, o) -> new EntmaxHead<>(c, o.real("alpha"), o.flag("learn-alpha"), o.flag("bias")));
    add(TopKSoftmaxHead.NAME, "softmax over the k largest logits, 0 elsewhere",
        List.of(HeadOptions.Option.of("k", TopKSoftmaxHead.DEFAULT_K, "classes kept per row"), BIAS),
        (c, o) -> new TopKSoftmaxHead<>(c, o.integer("k"), o.flag("bias")));
    add(TaylorSoftmaxHead.NAME, "Taylor softmax (de Brebisson & Vincent 2016)",
        List.of(HeadOptions.Option.of("order", TaylorSoftmaxHead.DEFAULT_ORDER, "even order of the Taylor series of exp"),
            BIAS),
        (c, o) -> new TaylorSoftmaxHead<>(c, o.integer("order"), o.flag("bias")));
    add(AmSoftmaxHead.NAME, "additive-margin softmax on cosines (Wang et al. 2018); margin only in training",
        List.of(HeadOptions.Option.of("scale", AmSoftmaxHead.DEFAULT_SCALE, "s, the scale of the cosines"),
            HeadOptions.Option.of("margin", AmSoftmaxHead.DEFAULT_MARGIN, "m, subtracted from the label's cosine")),
        (c, o) -> new AmSoftmaxHead<>(c, o.real("scale"), o.real("margin")));
  }

  private Heads() {}

  private static void add(String name, String description, List<HeadOptions.Option> options, Factory f) {
    TYPES.put(name, new Type(name, description, List.copyOf(options), f));
  }

  /** Builds the head {@code spec} ("name" or "name:key=value,...") with {@code config}. */
  public static <T extends TFloating> OutputHead<T> create(String spec, HeadConfig<T> config) {
    return create(HeadSpec.parse(spec), config);
  }

  /**
   * Builds the head {@code spec} with {@code config}.
   *
   * @throws IllegalArgumentException for an unknown head or option (listing the valid ones), or an
   *     option value out of range; the message starts with the spec
   */
  @SuppressWarnings("unchecked")
  public static <T extends TFloating> OutputHead<T> create(HeadSpec spec, HeadConfig<T> config) {
    Type type = TYPES.get(spec.name());
    if (type == null) {
      throw new IllegalArgumentException(
          "unknown head '" + spec.name() + "'; valid heads: " + String.join(", ", TYPES.keySet()));
    }
    try {
      return (OutputHead<T>) type.factory().create(config, new HeadOptions(spec, type.options()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("head '" + spec + "': " + e.getMessage(), e);
    }
  }

  /**
   * Checks that {@code spec} names a head with valid options, by building it in a scratch graph
   * (d = 2, M = 3; nothing runs). Throws like {@link #create}.
   */
  public static void check(HeadSpec spec) {
    try (Graph g = new Graph()) {
      create(spec, new HeadConfig<>(Ops.create(g), TFloat32.class, 2, 3, 0));
    }
  }

  /** The registered head types, in a stable order. */
  public static List<Type> types() {
    return List.copyOf(TYPES.values());
  }

  public static List<String> names() {
    return Collections.unmodifiableList(new ArrayList<>(TYPES.keySet()));
  }

  /** One line per head: name, options with defaults, description. */
  public static String help() {
    StringBuilder b = new StringBuilder();
    for (Type t : TYPES.values()) {
      b.append(String.format("  %-15s %s%n", t.name(), t.description()));
      if (!t.options().isEmpty()) {
        b.append(String.format("  %-15s   options (defaults): %s%n", "", HeadOptions.describe(t.options())));
      }
    }
    return b.toString();
  }
}
