package org.beyondsoftmax.framework;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.TreeSet;

/**
 * A configuration map as the framework's classes take and give them ({@code getConfig()}, a
 * constructor from a {@code Map<String, Object>}): the key {@value #NAME} and one entry per
 * parameter. Reading one checks its keys and name and converts its values, with a clear
 * {@link IllegalArgumentException} for an unknown key, a wrong name or a value of the wrong kind.
 */
public final class Config {
  /** The key of the name (the framework's {@code name}). */
  public static final String NAME = "name";

  private final Map<String, Object> values;
  private final String owner;

  private Config(Map<String, Object> values, String owner) {
    this.values = values;
    this.owner = owner;
  }

  /**
   * Reads {@code config} for the class named {@code owner}, whose name key, when present, must be
   * {@code requiredName} (null: any name) and whose other keys must be among {@code keys}.
   */
  public static Config read(Map<String, Object> config, String owner, String requiredName, Set<String> keys) {
    Objects.requireNonNull(config, "config");
    Set<String> unknown = new TreeSet<>(config.keySet());
    unknown.remove(NAME);
    unknown.removeAll(keys);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(owner + ": unknown configuration keys " + unknown
          + "; allowed: " + allowed(keys));
    }
    Config c = new Config(config, owner);
    if (requiredName != null && config.containsKey(NAME) && !requiredName.equals(c.string(NAME, null))) {
      throw new IllegalArgumentException(owner + ": configuration name must be '" + requiredName
          + "', got '" + config.get(NAME) + "'");
    }
    return c;
  }

  private static List<String> allowed(Set<String> keys) {
    List<String> all = new ArrayList<>(List.of(NAME));
    all.addAll(new TreeSet<>(keys));
    return all;
  }

  /**
   * A configuration map: the name, the entries every class of a family has ({@code common}, e.g.
   * the axis), then the class's own parameters.
   */
  public static Map<String, Object> of(String name, Map<String, Object> common, Map<String, Object> parameters) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put(NAME, name);
    m.putAll(common);
    m.putAll(parameters);
    return Collections.unmodifiableMap(m);
  }

  /** A string value, or {@code fallback} when absent. */
  public String string(String key, String fallback) {
    return value(key, fallback, "a string", v -> v instanceof String s ? s : null);
  }

  /** An integral value (any {@link Number} without a fraction), or {@code fallback}. */
  public int integer(String key, int fallback) {
    return value(key, fallback, "an integer", v -> v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
            && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE ? n.intValue() : null);
  }

  /** A real value (any {@link Number}), or {@code fallback}. */
  public double real(String key, double fallback) {
    return value(key, fallback, "a number", v -> v instanceof Number n ? n.doubleValue() : null);
  }

  /**
   * The value of {@code key} converted by {@code convert} (null: not {@code kind}, refused), or
   * {@code fallback} when absent.
   */
  private <V> V value(String key, V fallback, String kind, Function<Object, V> convert) {
    Object v = values.get(key);
    if (v == null) {
      return fallback;
    }
    V converted = convert.apply(v);
    if (converted == null) {
      throw wrongKind(key, kind, v);
    }
    return converted;
  }

  /** An enum constant by its name in any case (as the framework's {@code Reduction.ofName}). */
  public <E extends Enum<E>> E constant(String key, Class<E> type, E fallback) {
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    return value(key, fallback, "one of " + names,
        v -> type.isInstance(v) ? type.cast(v) : v instanceof String s ? byName(type, s) : null);
  }

  /** The constant named {@code name} in any case, or null. */
  private static <E extends Enum<E>> E byName(Class<E> type, String name) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(name.toUpperCase(Locale.ROOT))) {
        return e;
      }
    }
    return null;
  }

  private IllegalArgumentException wrongKind(String key, String kind, Object v) {
    return new IllegalArgumentException(
        owner + ": configuration value '" + key + "' must be " + kind + ", got " + v + " ("
            + v.getClass().getSimpleName() + ")");
  }
}
