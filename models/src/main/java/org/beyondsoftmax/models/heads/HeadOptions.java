package org.beyondsoftmax.models;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The options of one {@link HeadSpec}, read with their declared defaults. Options the head does
 * not declare are rejected up front, with the list of the valid ones; a value that does not parse
 * is rejected naming the option. Ranges are checked by the heads themselves (so Java callers get
 * the same messages).
 */
public final class HeadOptions {
  /** A declared option: its key, default value (as text) and a one-line description. */
  public record Option(String key, String defaultValue, String description) {
    public static Option of(String key, Object defaultValue, String description) {
      return new Option(key, HeadSpec.format(defaultValue), description);
    }
  }

  private final HeadSpec spec;
  private final Map<String, Option> declared = new LinkedHashMap<>();

  HeadOptions(HeadSpec spec, List<Option> options) {
    this.spec = spec;
    options.forEach(o -> declared.put(o.key(), o));
    for (String key : spec.options().keySet()) {
      if (!declared.containsKey(key)) {
        throw new IllegalArgumentException(
            "unknown option '" + key + "'; valid options: "
                + (declared.isEmpty() ? "none" : String.join(", ", declared.keySet())));
      }
    }
  }

  public int integer(String key) {
    String v = value(key);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw bad(key, v, "an integer");
    }
  }

  public double real(String key) {
    String v = value(key);
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw bad(key, v, "a number");
    }
  }

  public boolean flag(String key) {
    String v = value(key);
    return switch (v) {
      case "true" -> true;
      case "false" -> false;
      default -> throw bad(key, v, "true or false");
    };
  }

  private String value(String key) {
    Option o = declared.get(key);
    if (o == null) {
      throw new IllegalStateException("head '" + spec.name() + "' reads undeclared option " + key);
    }
    return spec.options().getOrDefault(key, o.defaultValue());
  }

  private IllegalArgumentException bad(String key, String value, String what) {
    return new IllegalArgumentException(
        "option '" + key + "' must be " + what + ", got '" + value + "'");
  }

  static String describe(List<Option> options) {
    return options.stream()
        .map(o -> o.key() + "=" + o.defaultValue())
        .collect(Collectors.joining(","));
  }
}
