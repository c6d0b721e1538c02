package org.beyondsoftmax.models.spec;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One kind of thing a {@link Registry} can build: its name, a one-line description, its options
 * (each with its default and help), its factory, and an optional check of the options together
 * (for constraints between options). Declared once, beside the class it builds.
 *
 * @param <F> the factory's type (what the registry's users call to build the thing)
 */
public final class Kind<F> {
  private final String name;
  private final String description;
  private final List<Option<?>> options;
  private final F factory;
  private final Consumer<Spec<F>> check;

  private Kind(String name, String description, List<Option<?>> options, F factory, Consumer<Spec<F>> check) {
    SpecText.checkWord("name", name);
    Set<String> keys = new HashSet<>();
    for (Option<?> o : options) {
      if (!keys.add(o.key())) {
        throw new IllegalArgumentException("kind '" + name + "' declares option '" + o.key() + "' twice");
      }
    }
    this.name = name;
    this.description = description;
    this.options = List.copyOf(options);
    this.factory = factory;
    this.check = check;
  }

  public static <F> Kind<F> of(String name, String description, List<Option<?>> options, F factory) {
    return new Kind<>(name, description, options, factory, s -> {});
  }

  /** This kind with a check of a complete spec (constraints between options); throws to refuse. */
  public Kind<F> withCheck(Consumer<Spec<F>> check) {
    return new Kind<>(name, description, options, factory, check);
  }

  public String name() {
    return name;
  }

  public String description() {
    return description;
  }

  public List<Option<?>> options() {
    return options;
  }

  public F factory() {
    return factory;
  }

  /** The spec of this kind with every option at its default. */
  public Spec<F> spec() {
    return new Spec<>(this, java.util.Map.of());
  }

  /** Throws {@link IllegalArgumentException} unless {@code spec}'s options fit together. */
  void check(Spec<F> spec) {
    check.accept(spec);
  }

  /** "key=default,..." for help texts. */
  public String defaults() {
    return String.join(",", options.stream().map(Option::toString).toList());
  }

  @Override
  public String toString() {
    return name;
  }
}
