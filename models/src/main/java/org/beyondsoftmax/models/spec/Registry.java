package org.beyondsoftmax.models.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kinds of one family (output heads, attention normalisers) by name: the one way to turn spec
 * text into a typed {@link Spec}, with messages that list what is valid. Tests enumerate
 * {@link #kinds()}, so a kind registered without a test case fails the build.
 *
 * @param <F> the kinds' factory type
 */
public final class Registry<F> {
  private final String what;
  private final Map<String, Kind<F>> kinds = new LinkedHashMap<>();

  /** @param what the family's name in messages, singular: "head" */
  public Registry(String what, List<Kind<F>> kinds) {
    this.what = what;
    for (Kind<F> k : kinds) {
      if (this.kinds.put(k.name(), k) != null) {
        throw new IllegalArgumentException(what + " '" + k.name() + "' is registered twice");
      }
    }
  }

  /**
   * Parses one spec, {@code name} or {@code name:key=value,...}.
   *
   * @throws IllegalArgumentException for bad syntax, an unknown name or option (listing the valid
   *     ones), a value that does not parse or is out of range; the message names the spec
   */
  public Spec<F> parse(String text) {
    return spec(SpecText.parse(text));
  }

  /** Parses specs separated by ';' or ',' (see {@link SpecText#parseList}). */
  public List<Spec<F>> parseList(String text) {
    List<Spec<F>> out = new ArrayList<>();
    for (SpecText t : SpecText.parseList(text)) {
      out.add(spec(t));
    }
    return out;
  }

  /** The typed spec of parsed text. */
  public Spec<F> spec(SpecText text) {
    Kind<F> kind = kinds.get(text.name());
    if (kind == null) {
      throw new IllegalArgumentException(
          "unknown " + what + " '" + text.name() + "'; valid " + what + "s: " + String.join(", ", kinds.keySet()));
    }
    try {
      Map<String, Option<?>> declared = new LinkedHashMap<>();
      kind.options().forEach(o -> declared.put(o.key(), o));
      Spec<F> spec = kind.spec();
      for (var e : text.options().entrySet()) {
        Option<?> o = declared.get(e.getKey());
        if (o == null) {
          throw new IllegalArgumentException("unknown option '" + e.getKey() + "'; valid options: "
              + (declared.isEmpty() ? "none" : String.join(", ", declared.keySet())));
        }
        spec = set(spec, o, e.getValue());
      }
      return spec.checked();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " '" + text + "': " + e.getMessage(), e);
    }
  }

  private static <F, V> Spec<F> set(Spec<F> spec, Option<V> option, String text) {
    return spec.with(option, option.parse(text));
  }

  /** The kind called {@code name}. */
  public Kind<F> kind(String name) {
    Kind<F> k = kinds.get(name);
    if (k == null) {
      throw new IllegalArgumentException(
          "unknown " + what + " '" + name + "'; valid " + what + "s: " + String.join(", ", kinds.keySet()));
    }
    return k;
  }

  /** The registered kinds, in registration order. */
  public List<Kind<F>> kinds() {
    return List.copyOf(kinds.values());
  }

  public List<String> names() {
    return Collections.unmodifiableList(new ArrayList<>(kinds.keySet()));
  }

  /** Two lines per kind: name and description; options with their defaults. */
  public String help() {
    StringBuilder b = new StringBuilder();
    for (Kind<F> k : kinds.values()) {
      b.append(String.format("  %-15s %s%n", k.name(), k.description()));
      if (!k.options().isEmpty()) {
        b.append(String.format("  %-15s   options (defaults): %s%n", "", k.defaults()));
      }
    }
    return b.toString();
  }
}
