package org.beyondsoftmax.models.spec;

import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One option of a {@link Kind}, declared once: its key, default value, one-line help, how its text
 * parses and the range it must lie in. A value out of range is refused with a message naming the
 * option and the range, whether it comes from text ({@link #parse}) or from Java ({@link #check}).
 *
 * @param <V> the value's type: Integer, Double or Boolean
 */
public final class Option<V> {
  private final String key;
  private final V defaultValue;
  private final String description;
  private final String type;
  private final Function<String, V> parser;
  private final Predicate<V> valid;
  private final String range;

  private Option(String key, V defaultValue, String description, String type, Function<String, V> parser,
      Predicate<V> valid, String range) {
    SpecText.checkWord("option name", key);
    this.key = key;
    this.defaultValue = Objects.requireNonNull(defaultValue, "defaultValue");
    this.description = description;
    this.type = type;
    this.parser = parser;
    this.valid = valid;
    this.range = range;
    if (!valid.test(defaultValue)) {
      throw new IllegalArgumentException("the default of option '" + key + "' is outside " + range);
    }
  }

  /** An integer option whose values must be &gt;= {@code min}. */
  public static Option<Integer> integer(String key, int defaultValue, int min, String description) {
    return integer(key, defaultValue, v -> v >= min, "an integer >= " + min, description);
  }

  /** An integer option whose values must satisfy {@code valid}, described as {@code range}. */
  public static Option<Integer> integer(
      String key, int defaultValue, Predicate<Integer> valid, String range, String description) {
    return new Option<>(key, defaultValue, description, "an integer", Integer::valueOf, valid, range);
  }

  /** A real option whose values must satisfy {@code valid} (NaN never does), described as {@code range}. */
  public static Option<Double> real(
      String key, double defaultValue, Predicate<Double> valid, String range, String description) {
    return new Option<>(key, defaultValue, description, "a number", Double::valueOf,
        v -> !v.isNaN() && valid.test(v), range);
  }

  /** A true/false option. */
  public static Option<Boolean> flag(String key, boolean defaultValue, String description) {
    return new Option<>(key, defaultValue, description, "true or false", Option::parseFlag, v -> true,
        "true or false");
  }

  private static Boolean parseFlag(String text) {
    return switch (text) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(text);
    };
  }

  public String key() {
    return key;
  }

  public V defaultValue() {
    return defaultValue;
  }

  public String description() {
    return description;
  }

  /** The allowed range in words, e.g. "an integer >= 1". */
  public String range() {
    return range;
  }

  /** The value of {@code text}; refuses text that does not parse or lies out of range. */
  public V parse(String text) {
    V v;
    try {
      v = parser.apply(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("option '" + key + "' must be " + type + ", got '" + text + "'");
    }
    return check(v);
  }

  /** {@code value}, if it lies in range. */
  public V check(V value) {
    if (value == null || !valid.test(value)) {
      throw new IllegalArgumentException(key + " must be " + range + ", got " + format(value));
    }
    return value;
  }

  /** The value as spec text: doubles that are whole numbers print without a trailing ".0". */
  public static String format(Object value) {
    if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    return String.valueOf(value);
  }

  @Override
  public String toString() {
    return key + "=" + format(defaultValue);
  }
}
