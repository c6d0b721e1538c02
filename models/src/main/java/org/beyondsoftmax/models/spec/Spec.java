package org.beyondsoftmax.models.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Kind} with typed option values: what a spec text such as {@code plif:knots=1000} is
 * parsed into, once, at the edge (command line, Java API), and what travels inward. Options not
 * given take their defaults. Its text ({@link #toString}) names the kind and the options that
 * differ from their defaults, in declaration order, so equal specs print equally and a
 * registry parses the text back into an equal spec.
 *
 * @param <F> the kind's factory type
 */
public final class Spec<F> {
  private final Kind<F> kind;
  private final Map<Option<?>, Object> values;

  Spec(Kind<F> kind, Map<Option<?>, Object> values) {
    this.kind = kind;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public Kind<F> kind() {
    return kind;
  }

  public String name() {
    return kind.name();
  }

  /** The option's value: given, or its default. */
  @SuppressWarnings("unchecked")
  public <V> V get(Option<V> option) {
    declared(option);
    return values.containsKey(option) ? (V) values.get(option) : option.defaultValue();
  }

  /**
   * This spec with {@code option} set to {@code value} (checked against its range); constraints
   * between options are checked by {@link #checked()}.
   */
  public <V> Spec<F> with(Option<V> option, V value) {
    declared(option);
    Map<Option<?>, Object> m = new LinkedHashMap<>(values);
    m.put(option, option.check(value));
    return new Spec<>(kind, m);
  }

  /** This spec, after the kind's check of the options together. */
  public Spec<F> checked() {
    kind.check(this);
    return this;
  }

  private void declared(Option<?> option) {
    if (!kind.options().contains(option)) {
      throw new IllegalArgumentException(
          "'" + kind.name() + "' has no option '" + option.key() + "'; its options: " + kind.defaults());
    }
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(kind.name());
    char sep = ':';
    for (Option<?> o : kind.options()) {
      Object v = get(o);
      String text = Option.format(v);
      if (!text.equals(Option.format(o.defaultValue()))) {
        b.append(sep).append(o.key()).append('=').append(text);
        sep = ',';
      }
    }
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Spec<?> s && s.kind == kind && s.toString().equals(toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }
}
