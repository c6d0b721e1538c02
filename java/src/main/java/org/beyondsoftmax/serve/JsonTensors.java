package org.beyondsoftmax.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.beyondsoftmax.savedmodel.TensorValues;
import org.beyondsoftmax.savedmodel.ValueType;

/**
 * Tensors to and from the JSON of TensorFlow Serving's REST API: a tensor is a (nested) list of
 * numbers or booleans, rectangular, row-major; a scalar is a bare number.
 */
public final class JsonTensors {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private JsonTensors() {}

  /**
   * Reads one value of an input.
   *
   * @param shape the expected shape (-1 where any size goes); its length is the expected rank
   * @param where the value's place in the request, for error messages, e.g. {@code instances[2].ids}
   * @throws ApiException 400 naming {@code where} and what is wrong
   */
  public static TensorValues read(JsonNode node, ValueType type, long[] shape, String where) {
    long[] actual = new long[shape.length];
    Arrays.fill(actual, -1); // not seen yet: the first list at a depth sets its size
    List<JsonNode> leaves = new ArrayList<>();
    collect(node, 0, actual, shape, leaves, where);
    int n = leaves.size();
    long[] longs = type == ValueType.FLOAT || type == ValueType.DOUBLE ? null : new long[n];
    double[] doubles = longs == null ? new double[n] : null;
    for (int i = 0; i < n; i++) {
      JsonNode v = leaves.get(i);
      if (type == ValueType.BOOL) {
        if (!v.isBoolean()) {
          throw ApiException.badRequest(where + ": expected booleans, got " + describe(v));
        }
        longs[i] = v.booleanValue() ? 1 : 0;
      } else if (!v.isNumber()) {
        throw ApiException.badRequest(where + ": expected " + (longs != null ? "integers" : "numbers") + ", got "
            + describe(v));
      } else if (longs != null) {
        longs[i] = integer(v, type, where);
      } else {
        double d = v.doubleValue();
        if (!Double.isFinite(d) || (type == ValueType.FLOAT && Float.isInfinite((float) d))) {
          throw ApiException.badRequest(where + ": " + v + " does not fit a " + type.tfName());
        }
        doubles[i] = d;
      }
    }
    return new TensorValues(type, actual, longs, doubles);
  }

  private static long integer(JsonNode v, ValueType type, String where) {
    if (!v.isIntegralNumber() && (v.doubleValue() != Math.rint(v.doubleValue()))) {
      throw ApiException.badRequest(where + ": expected integers, got " + v);
    }
    if (!v.canConvertToLong()) {
      throw ApiException.badRequest(where + ": " + v + " does not fit a " + type.tfName());
    }
    long x = v.isIntegralNumber() ? v.longValue() : (long) v.doubleValue();
    if (type == ValueType.INT32 && (x < Integer.MIN_VALUE || x > Integer.MAX_VALUE)) {
      throw ApiException.badRequest(where + ": " + v + " does not fit a " + type.tfName());
    }
    return x;
  }

  private static void collect(JsonNode node, int depth, long[] actual, long[] expected, List<JsonNode> leaves,
      String where) {
    if (depth == expected.length) {
      if (node.isArray() || node.isObject()) {
        throw ApiException.badRequest(where + ": expected " + rankText(expected) + ", got one more level of nesting");
      }
      leaves.add(node);
      return;
    }
    if (!node.isArray()) {
      throw ApiException.badRequest(where + ": expected " + rankText(expected) + ", got " + describe(node)
          + (depth > 0 ? " at depth " + depth : ""));
    }
    int size = node.size();
    if (actual[depth] < 0) {
      actual[depth] = size;
    }
    if (size != actual[depth]) {
      throw ApiException.badRequest(where + ": not rectangular: lists of length " + actual[depth] + " and " + size
          + " at depth " + depth);
    }
    if (expected[depth] >= 0 && size != expected[depth]) {
      throw ApiException.badRequest(where + ": axis " + depth + " must have " + expected[depth] + " entries, got "
          + size);
    }
    if (size == 0) {
      throw ApiException.badRequest(where + ": empty list at depth " + depth);
    }
    for (JsonNode child : node) {
      collect(child, depth + 1, actual, expected, leaves, where);
    }
  }

  private static String rankText(long[] shape) {
    if (shape.length == 0) {
      return "a single value";
    }
    return "a list nested " + shape.length + " deep (shape " + shapeText(shape) + ")";
  }

  static String shapeText(long[] shape) {
    return Arrays.toString(Arrays.stream(shape).mapToObj(d -> d < 0 ? "?" : Long.toString(d)).toArray())
        .replace(" ", "");
  }

  static String describe(JsonNode v) {
    String kind = v.isTextual() ? "a string" : v.isObject() ? "an object" : v.isArray() ? "a list"
        : v.isNull() ? "null" : v.isBoolean() ? "a boolean" : "a number";
    String text = v.toString();
    return kind + (text.length() <= 40 ? " (" + text + ")" : "");
  }

  /** The value as JSON: a bare number for a scalar, else lists nested as deep as its rank. */
  public static JsonNode write(TensorValues v) {
    int[] index = {0};
    return write(v, 0, index);
  }

  private static JsonNode write(TensorValues v, int depth, int[] index) {
    if (depth == v.shape().length) {
      int i = index[0]++;
      return switch (v.type()) {
        case BOOL -> JSON.booleanNode(v.longs()[i] != 0);
        case INT32, INT64 -> JSON.numberNode(v.longs()[i]);
        case FLOAT -> JSON.numberNode((float) v.doubles()[i]);
        case DOUBLE -> JSON.numberNode(v.doubles()[i]);
      };
    }
    ArrayNode a = JSON.arrayNode((int) v.shape()[depth]);
    for (long k = 0; k < v.shape()[depth]; k++) {
      a.add(write(v, depth + 1, index));
    }
    return a;
  }
}
