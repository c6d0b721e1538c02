package org.beyondsoftmax.savedmodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;

/**
 * Labelled examples for a SavedModel signature, as JSON Lines: one object per line with a value
 * for each input of the signature (a number or nested arrays: one example, without the batch
 * axis) and an integer {@code label}, e.g. {@code {"x": [0.5, -1.2, 3.0], "label": 2}}. Inputs are
 * batched along a new first axis; int32, int64, float32 and float64 inputs are supported.
 */
public final class LabelledData {
  /** The label's key in each line. */
  public static final String LABEL = "label";

  private final List<String> inputs;
  private final Map<String, DataType> types;
  private final Map<String, long[]> shapes = new LinkedHashMap<>();
  private final Map<String, List<double[]>> values = new LinkedHashMap<>();
  private final int[] labels;

  private LabelledData(Signature signature, List<JsonNode> lines, Path file) throws IOException {
    this.inputs = new ArrayList<>(signature.inputNames());
    this.types = new LinkedHashMap<>();
    signature.getInputs().forEach((k, d) -> types.put(k, d.dataType));
    labels = new int[lines.size()];
    for (String in : inputs) {
      values.put(in, new ArrayList<>());
    }
    for (int i = 0; i < lines.size(); i++) {
      JsonNode line = lines.get(i);
      String where = file + ", line " + (i + 1);
      JsonNode label = line.get(LABEL);
      if (label == null || !label.canConvertToInt()) {
        throw new IOException(where + ": needs an integer \"" + LABEL + "\"");
      }
      labels[i] = label.asInt();
      for (String in : inputs) {
        JsonNode v = line.get(in);
        if (v == null) {
          throw new IOException(where + ": no value for the signature's input \"" + in + "\" (inputs: " + inputs + ")");
        }
        List<Long> dims = new ArrayList<>();
        for (JsonNode n = v; n.isArray(); n = n.get(0)) {
          dims.add((long) n.size());
          if (n.size() == 0) {
            break;
          }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long[] first = shapes.putIfAbsent(in, shape);
        if (first != null && !Arrays.equals(first, shape)) {
          throw new IOException(where + ": \"" + in + "\" has shape " + Arrays.toString(shape)
              + ", the first line " + Arrays.toString(first));
        }
        double[] flat = new double[(int) Shape.of(shape).size()];
        int[] k = {0};
        flatten(v, flat, k, where, in);
        if (k[0] != flat.length) {
          throw new IOException(where + ": \"" + in + "\" is not a rectangular array");
        }
        values.get(in).add(flat);
      }
    }
  }

  private static void flatten(JsonNode v, double[] out, int[] k, String where, String in) throws IOException {
    if (v.isArray()) {
      for (JsonNode e : v) {
        flatten(e, out, k, where, in);
      }
    } else if (v.isNumber()) {
      if (k[0] >= out.length) {
        throw new IOException(where + ": \"" + in + "\" is not a rectangular array");
      }
      out[k[0]++] = v.asDouble();
    } else {
      throw new IOException(where + ": \"" + in + "\" holds a non-number: " + v);
    }
  }

  /** Reads {@code file} for {@code signature}. */
  public static LabelledData read(Path file, Signature signature) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> lines = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          lines.add(mapper.readTree(line));
        }
      }
    }
    if (lines.isEmpty()) {
      throw new IOException(file + " holds no examples");
    }
    return new LabelledData(signature, lines, file);
  }

  public int size() {
    return labels.length;
  }

  public int[] labels() {
    return labels.clone();
  }

  /** The inputs of examples [from, to), batched: one tensor per signature input (close them). */
  public Map<String, Tensor> batch(int from, int to) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (String in : inputs) {
      long[] one = shapes.get(in);
      long[] dims = new long[one.length + 1];
      dims[0] = to - from;
      System.arraycopy(one, 0, dims, 1, one.length);
      int per = (int) Shape.of(one).size();
      double[] all = new double[(to - from) * per];
      for (int i = from; i < to; i++) {
        System.arraycopy(values.get(in).get(i), 0, all, (i - from) * per, per);
      }
      out.put(in, tensor(types.get(in), dims, all, in));
    }
    return out;
  }

  private static Tensor tensor(DataType type, long[] shape, double[] v, String name) {
    ValueType t = ValueType.of(type).filter(x -> x != ValueType.BOOL).orElseThrow(() -> new IllegalArgumentException(
        "input \"" + name + "\" has dtype " + type + "; supported: float32, float64, int32, int64"));
    boolean integral = t == ValueType.INT32 || t == ValueType.INT64;
    return new TensorValues(t, shape, integral ? Arrays.stream(v).mapToLong(x -> (long) x).toArray() : null,
        integral ? null : v).toTensor();
  }
}
