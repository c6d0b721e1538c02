package org.beyondsoftmax.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.beyondsoftmax.savedmodel.TensorValues;
import org.beyondsoftmax.savedmodel.ValueType;
import org.tensorflow.Result;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;

/**
 * Any signature whose inputs and outputs are batched along their first axis, served as
 * TensorFlow Serving serves it: instances are read against the signature's dtypes and shapes,
 * those with equal shapes are stacked into one call, and each output is split back by rows.
 * Inputs listed in {@link WordIds} are also checked as word ids.
 */
public final class SignatureEndpoint implements Endpoint {
  private final SessionFunction function;
  private final Map<String, Signature.TensorDescription> inputs;
  private final Map<String, Signature.TensorDescription> outputs;
  private final Map<String, ValueType> types = new LinkedHashMap<>();
  private final WordIds wordIds;

  /**
   * @param wordIds the word-id inputs of a language model, or null
   * @throws IllegalArgumentException if an input or output is not batched or not of a JSON type
   */
  public SignatureEndpoint(SessionFunction function, WordIds wordIds) {
    this.function = function;
    Signature s = function.signature();
    this.inputs = new LinkedHashMap<>(s.getInputs());
    this.outputs = new LinkedHashMap<>(s.getOutputs());
    this.wordIds = wordIds;
    for (var e : inputs.entrySet()) {
      types.put(e.getKey(), typeOf("input", e.getKey(), e.getValue()));
    }
    for (var e : outputs.entrySet()) {
      typeOf("output", e.getKey(), e.getValue());
    }
    if (inputs.isEmpty() || outputs.isEmpty()) {
      throw new IllegalArgumentException("signature " + s.key() + " has no inputs or no outputs");
    }
  }

  private ValueType typeOf(String kind, String name, Signature.TensorDescription d) {
    String where = "signature " + function.signature().key() + ", " + kind + " " + name;
    if (d.shape.isUnknown() || d.shape.numDimensions() < 1 || d.shape.get(0) >= 0) {
      throw new IllegalArgumentException(where + ": not batched (its shape " + d.shape
          + " has no first axis of any size)");
    }
    return ValueType.of(d.dataType).orElseThrow(() -> new IllegalArgumentException(where + ": dtype "
        + d.dataType + " is not served as JSON"));
  }

  @Override
  public String name() {
    return function.signature().key();
  }

  @Override
  public List<String> inputNames() {
    return List.copyOf(inputs.keySet());
  }

  @Override
  public List<String> outputNames() {
    return List.copyOf(outputs.keySet());
  }

  @Override
  public Instance read(Map<String, JsonNode> values, int topK, String where) {
    Map<String, TensorValues> read = new LinkedHashMap<>();
    for (var e : inputs.entrySet()) {
      String name = e.getKey();
      String at = where + "." + name;
      long[] full = e.getValue().shape.asArray();
      TensorValues v = JsonTensors.read(values.get(name), types.get(name), Arrays.copyOfRange(full, 1, full.length), at);
      if (wordIds != null && wordIds.inputs().contains(name)) {
        wordIds.check(v, at);
      }
      read.put(name, v);
    }
    if (read.size() > 1) {
      long[] first = null;
      for (var e : read.entrySet()) {
        if (wordIds != null && wordIds.inputs().contains(e.getKey())) {
          if (first != null && !Arrays.equals(first, e.getValue().shape())) {
            throw ApiException.badRequest(where + ": " + String.join(" and ", wordIds.inputs())
                + " must have the same length");
          }
          first = e.getValue().shape();
        }
      }
    }
    return new Instance(read, topK);
  }

  @Override
  public Object batchKey(Instance instance) {
    List<List<Long>> shapes = new ArrayList<>();
    for (String name : inputs.keySet()) {
      shapes.add(Arrays.stream(instance.inputs().get(name).shape()).boxed().toList());
    }
    return shapes;
  }

  @Override
  public List<Map<String, JsonNode>> run(List<Instance> instances) {
    int n = instances.size();
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    try {
      for (String name : inputs.keySet()) {
        feeds.put(name, TensorValues.stack(instances.stream().map(i -> i.inputs().get(name)).toList()).toTensor());
      }
      List<Map<String, JsonNode>> results = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        results.add(new LinkedHashMap<>());
      }
      try (Result r = function.call(feeds)) {
        for (String name : outputs.keySet()) {
          TensorValues v = TensorValues.of(r.get(name).orElseThrow());
          if (v.shape().length == 0 || v.shape()[0] != n) {
            throw new IllegalStateException("output " + name + " of signature " + name() + " has shape "
                + Arrays.toString(v.shape()) + " for a batch of " + n);
          }
          for (int i = 0; i < n; i++) {
            results.get(i).put(name, JsonTensors.write(v.row(i)));
          }
        }
      }
      return results;
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }

  @Override
  public JsonNode signatureDef() {
    return signatureDef(function.signature());
  }

  /** A signature in the JSON of TensorFlow Serving's model metadata. */
  static ObjectNode signatureDef(Signature s) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode def = json.objectNode();
    def.set("inputs", tensors(s.getInputs()));
    def.set("outputs", tensors(s.getOutputs()));
    def.put("method_name", s.methodName());
    return def;
  }

  private static ObjectNode tensors(Map<String, Signature.TensorDescription> ts) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode o = json.objectNode();
    ts.forEach((name, d) -> {
      ObjectNode t = o.putObject(name);
      t.put("dtype", d.dataType.name());
      ObjectNode shape = t.putObject("tensor_shape");
      if (d.shape.isUnknown()) {
        shape.put("unknown_rank", true);
      } else {
        var dims = shape.putArray("dim");
        for (long size : d.shape.asArray()) {
          dims.addObject().put("size", Long.toString(size)).put("name", "");
        }
        shape.put("unknown_rank", false);
      }
      t.put("name", d.name);
    });
    return o;
  }
}
