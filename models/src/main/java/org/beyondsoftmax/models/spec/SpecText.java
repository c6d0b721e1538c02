package org.beyondsoftmax.models.spec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The grammar of spec text, before any meaning is given to it: {@code name} or
 * {@code name:key=value,key=value}, e.g. {@code softmax}, {@code plif:knots=1000,range=20},
 * {@code entmax:alpha=1.5,learn-alpha=true}. Names and keys are lower case letters, digits and '-';
 * values are anything without ',', ';', ':' or '='. A {@link Registry} turns it into a typed
 * {@link Spec}.
 *
 * <p>A list ({@link #parseList}, the command line's {@code --heads}) separates specs by ';' or
 * ','. After a spec's ':', a comma-separated item with '=' is one more option of that spec and an
 * item without '=' starts the next one, so {@code softmax,plif:knots=1000,range=20,mos} and
 * {@code softmax;plif:knots=1000,range=20;mos} are the same three specs.
 */
public record SpecText(String name, Map<String, String> options) {
  private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9-]*");
  private static final Pattern VALUE = Pattern.compile("[^,;:=\\s]+");

  public SpecText {
    check("name", name, WORD);
    Map<String, String> copy = new LinkedHashMap<>();
    options.forEach((k, v) -> {
      check("option name", k, WORD);
      check("value of option '" + k + "'", v, VALUE);
      copy.put(k, v);
    });
    options = Collections.unmodifiableMap(copy);
  }

  /** Parses one spec: {@code name} or {@code name:key=value,...}. */
  public static SpecText parse(String text) {
    List<SpecText> heads = parseList(text);
    if (heads.size() != 1) {
      throw new IllegalArgumentException(
          "expected one spec (name or name:key=value,...), got " + heads.size() + " in '" + text + "'");
    }
    return heads.get(0);
  }

  /** Parses specs separated by ';' or ',' (see the class comment). */
  public static List<SpecText> parseList(String text) {
    List<SpecText> heads = new ArrayList<>();
    String current = null;
    Map<String, String> options = null;
    for (String group : text.split(";", -1)) {
      boolean first = true;
      for (String raw : group.split(",", -1)) {
        String item = raw.strip();
        if (item.isEmpty()) {
          throw new IllegalArgumentException("empty item in spec list '" + text + "'");
        }
        int colon = item.indexOf(':');
        if (colon < 0 && item.contains("=")) {
          if (first || current == null) {
            throw new IllegalArgumentException(
                "option '" + item + "' must follow a name and ':', in '" + text + "'");
          }
          put(options, item, current);
        } else {
          if (current != null) {
            heads.add(new SpecText(current, options));
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
      heads.add(new SpecText(current, options));
    }
    return heads;
  }

  private static void put(Map<String, String> options, String item, String head) {
    if (item.isBlank()) {
      throw new IllegalArgumentException(
          "'" + head + "': ':' must be followed by key=value options");
    }
    int eq = item.indexOf('=');
    if (eq < 0) {
      throw new IllegalArgumentException(
          "option '" + item + "' of '" + head + "' must be key=value");
    }
    String key = item.substring(0, eq).strip();
    String value = item.substring(eq + 1).strip();
    if (options.containsKey(key)) {
      throw new IllegalArgumentException("option '" + key + "' of '" + head + "' is given twice");
    }
    options.put(key, value);
  }

  /** Fails unless {@code s} is a name or key: lower case letters, digits and '-'. */
  static void checkWord(String what, String s) {
    check(what, s, WORD);
  }

  private static void check(String what, String s, Pattern p) {
    if (s == null || !p.matcher(s).matches()) {
      throw new IllegalArgumentException(
          what + " must match " + p.pattern() + ", got '" + s + "'");
    }
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
