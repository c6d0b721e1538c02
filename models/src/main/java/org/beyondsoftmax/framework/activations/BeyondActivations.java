package org.beyondsoftmax.framework.activations;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.beyondsoftmax.framework.Config;
import org.tensorflow.framework.activations.Activation;
import org.tensorflow.framework.activations.Activations;

/**
 * Activations by name or configuration map: ours ({@value Sparsemax#NAME},
 * {@value Entmax15#NAME}, {@value EntmaxBisect#NAME}, {@value Sigsoftmax#NAME},
 * {@value TaylorSoftmax#NAME}, {@value TopKSoftmax#NAME}) and the framework's own
 * ({@code softmax}, {@code relu}, ...; {@link Activation#create}, whose list is a closed enum).
 * Names are matched in any case, as the framework does.
 *
 * <pre>{@code
 * Activation a = BeyondActivations.create("entmax_bisect");
 * Activation b = BeyondActivations.create(Map.of("name", "topk_softmax", "k", 5));
 * Activation c = BeyondActivations.create("relu");                 // the framework's ReLU
 * }</pre>
 */
public final class BeyondActivations {
  /** One of our activations: its name and its two constructors. */
  public record Entry(String name, Supplier<MappingActivation> create,
      Function<Map<String, Object>, MappingActivation> fromConfig) {}

  private static final Map<String, Entry> OURS = new LinkedHashMap<>();

  static {
    add(Sparsemax.NAME, Sparsemax::new, Sparsemax::new);
    add(Entmax15.NAME, Entmax15::new, Entmax15::new);
    add(EntmaxBisect.NAME, EntmaxBisect::new, EntmaxBisect::new);
    add(Sigsoftmax.NAME, Sigsoftmax::new, Sigsoftmax::new);
    add(TaylorSoftmax.NAME, TaylorSoftmax::new, TaylorSoftmax::new);
    add(TopKSoftmax.NAME, TopKSoftmax::new, TopKSoftmax::new);
  }

  private BeyondActivations() {}

  private static void add(String name, Supplier<MappingActivation> create,
      Function<Map<String, Object>, MappingActivation> fromConfig) {
    OURS.put(name, new Entry(name, create, fromConfig));
  }

  /** Our activations, in a stable order. */
  public static List<Entry> entries() {
    return List.copyOf(OURS.values());
  }

  /** Every name {@link #create(String)} knows: ours, then the framework's. */
  public static List<String> names() {
    List<String> all = new ArrayList<>(OURS.keySet());
    for (Activations a : Activations.values()) {
      all.add(a.getTensorFlowName());
    }
    return all;
  }

  /**
   * The activation {@code name} with its defaults.
   *
   * @throws IllegalArgumentException for an unknown name (the message lists the known ones)
   */
  public static Activation create(String name) {
    Objects.requireNonNull(name, "name");
    Entry ours = OURS.get(name.toLowerCase(Locale.ROOT));
    return ours != null ? ours.create().get() : Activation.create(framework(name));
  }

  /**
   * The activation of a configuration map ({@code getConfig()} of ours or of the framework's):
   * the key {@code name} and its parameters.
   *
   * @throws IllegalArgumentException for an unknown name, key or a value of the wrong kind
   */
  public static Activation create(Map<String, Object> config) {
    Objects.requireNonNull(config, "config");
    Object name = config.get(Config.NAME);
    if (!(name instanceof String s)) {
      throw new IllegalArgumentException("config must name the activation with the key '" + Config.NAME
          + "', got " + config);
    }
    Entry ours = OURS.get(s.toLowerCase(Locale.ROOT));
    if (ours == null) {
      framework(s);
      return Activation.create(config);
    }
    Map<String, Object> normalised = new LinkedHashMap<>(config);
    normalised.put(Config.NAME, ours.name());
    return ours.fromConfig().apply(normalised);
  }

  /** {@code name} if the framework knows it, else an exception listing every known name. */
  private static String framework(String name) {
    for (Activations a : Activations.values()) {
      if (a.getTensorFlowName().equalsIgnoreCase(name)) {
        return name;
      }
    }
    throw new IllegalArgumentException("unknown activation '" + name + "'; known: " + String.join(", ", names()));
  }
}
