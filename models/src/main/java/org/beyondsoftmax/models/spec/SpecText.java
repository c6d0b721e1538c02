package org.beyondsoftmax.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A head's name and options as text: {@code name} or {@code name:key=value,key=value}, e.g.
 * {@code softmax}, {@code plif:knots=1000,range=20}. Names and keys are lower case letters, digits
 * and '-'; values are anything without ',', ';', ':' or '='.
 *
 * <p>A list of heads ({@link #parseList}, the command line's {@code --heads}) separates heads by
 * ';' or ','. After a head's ':', a comma-separated item with '=' is one more option of that head
 * and an item without '=' starts the next head, so {@code softmax,plif:knots=1000,range=20,mos}
 * and {@code softmax;plif:knots=1000,range=20;mos} are the same three heads.
 */
public record HeadSpec(String name, Map<String, String> options) {
  private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9-]*");
  private static final Pattern VALUE = Pattern.compile("[^,;:=\\s]+");

  public HeadSpec {
    check("head name", name, WORD);
    Map<String, String> copy = new LinkedHashMap<>();
    options.forEach((k, v) -> {
      check("option name", k, WORD);
      check("value of option '" + k + "'", v, VALUE);
      copy.put(k, v);
    });
    options = Collections.unmodifiableMap(copy);
  }

  /** A spec without options. */
  public static HeadSpec of(String name) {
    return new HeadSpec(name, Map.of());
  }

  /** This spec with {@code key=value} added (or replaced); doubles print without a trailing ".0". */
  public HeadSpec with(String key, Object value) {
    Map<String, String> m = new LinkedHashMap<>(options);
    m.put(key, format(value));
    return new HeadSpec(name, m);
  }

  /** This spec with {@code key=value} added when the value differs from the default. */
  public HeadSpec withIfNot(String key, Object value, Object defaultValue) {
    return format(value).equals(format(defaultValue)) ? this : with(key, value);
  }

  /** Parses one head: {@code name} or {@code name:key=value,...}. */
  public static HeadSpec parse(String text) {
    List<HeadSpec> heads = parseList(text);
    if (heads.size() != 1) {
      throw new IllegalArgumentException(
          "expected one head spec (name or name:key=value,...), got " + heads.size() + " in '" + text + "'");
    }
    return heads.get(0);
  }

  /** Parses heads separated by ';' or ',' (see the class comment). */
  public static List<HeadSpec> parseList(String text) {
    List<HeadSpec> heads = new ArrayList<>();
    String current = null;
    Map<String, String> options = null;
    for (String group : text.split(";", -1)) {
      boolean first = true;
      for (String raw : group.split(",", -1)) {
        String item = raw.strip();
        if (item.isEmpty()) {
          throw new IllegalArgumentException("empty item in head list '" + text + "'");
        }
        int colon = item.indexOf(':');
        if (colon < 0 && item.contains("=")) {
          if (first || current == null) {
            throw new IllegalArgumentException(
                "option '" + item + "' must follow a head name and ':', in '" + text + "'");
          }
          put(options, item, current);
        } else {
          if (current != null) {
            heads.add(new HeadSpec(current, options));
          }
          current = colon < 0 ? item : item.substring(0, colon);
          options = new LinkedHashMap<>();
          if (colon >= 0) {
            put(options, item.substring(colon + 1), current);
          }
        }
        first = false;
      }
    }
    if (current != null) {
      heads.add(new HeadSpec(current, options));
    }
    return heads;
  }

  private static void put(Map<String, String> options, String item, String head) {
    if (item.isBlank()) {
      throw new IllegalArgumentException(
          "head '" + head + "': ':' must be followed by key=value options");
    }
    int eq = item.indexOf('=');
    if (eq < 0) {
      throw new IllegalArgumentException(
          "option '" + item + "' of head '" + head + "' must be key=value");
    }
    String key = item.substring(0, eq).strip();
    String value = item.substring(eq + 1).strip();
    if (options.containsKey(key)) {
      throw new IllegalArgumentException("option '" + key + "' of head '" + head + "' is given twice");
    }
    options.put(key, value);
  }

  private static void check(String what, String s, Pattern p) {
    if (s == null || !p.matcher(s).matches()) {
      throw new IllegalArgumentException(
          what + " must match " + p.pattern() + ", got '" + s + "'");
    }
  }

  static String format(Object value) {
    if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString(d.longValue());
    }
    return String.valueOf(value);
  }

  @Override
  public String toString() {
    if (options.isEmpty()) {
      return name;
    }
    StringBuilder b = new StringBuilder(name).append(':');
    options.forEach((k, v) -> b.append(k).append('=').append(v).append(','));
    return b.substring(0, b.length() - 1);
  }
}
