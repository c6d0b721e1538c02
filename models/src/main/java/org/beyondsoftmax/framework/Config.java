package org.beyondsoftmax.framework;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
    Object v = values.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof String s)) {
      throw wrongKind(key, "a string", v);
    }
    return s;
  }

  /** An integral value (any {@link Number} without a fraction), or {@code fallback}. */
  public int integer(String key, int fallback) {
    Object v = values.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || Math.abs(n.doubleValue()) > Integer.MAX_VALUE) {
      throw wrongKind(key, "an integer", v);
    }
    return n.intValue();
  }

  /** A real value (any {@link Number}), or {@code fallback}. */
  public double real(String key, double fallback) {
    Object v = values.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Number n)) {
      throw wrongKind(key, "a number", v);
    }
    return n.doubleValue();
  }

  /** An enum constant by its name in any case (as the framework's {@code Reduction.ofName}). */
  public <E extends Enum<E>> E constant(String key, Class<E> type, E fallback) {
    Object v = values.get(key);
    if (v == null) {
      return fallback;
    }
    if (type.isInstance(v)) {
      return type.cast(v);
    }
    if (v instanceof String s) {
      for (E e : type.getEnumConstants()) {
        if (e.name().equals(s.toUpperCase(Locale.ROOT))) {
          return e;
        }
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    throw wrongKind(key, "one of " + names, v);
  }

  private IllegalArgumentException wrongKind(String key, String kind, Object v) {
    return new IllegalArgumentException(
        owner + ": configuration value '" + key + "' must be " + kind + ", got " + v + " ("
            + v.getClass().getSimpleName() + ")");
  }
}
