package org.beyondsoftmax.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A predict request in the JSON of TensorFlow Serving's REST API, read and validated against
 * the model: {@code {"signature_name": S, "instances": [...]}} (row format: one entry per
 * instance, the bare value when the signature has one input, else an object by input name) or
 * {@code {"inputs": ...}} (columnar: per input, the list of its instances' values), plus this
 * server's option {@code "top_k": k}. Answers use the same format:
 * {@code {"predictions": [...]}} or {@code {"outputs": ...}}.
 *
 * @param columnar whether the request (and so the answer) is in the columnar format
 */
public record PredictRequest(Endpoint endpoint, List<Instance> instances, boolean columnar) {
  public static final String DEFAULT_SIGNATURE = "serving_default";
  private static final Set<String> KEYS = Set.of("signature_name", "instances", "inputs", "top_k");
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /**
   * @param endpoints the endpoint of a signature name (throws ApiException for an unknown one)
   * @param maxInstances the most instances a request may hold
   * @throws ApiException 400 naming what is wrong
   */
  public static PredictRequest read(JsonNode body, Function<String, Endpoint> endpoints, int maxInstances) {
    if (body == null || !body.isObject()) {
      throw ApiException.badRequest("the request body must be a JSON object with \"instances\" or \"inputs\"");
    }
    for (Iterator<String> it = body.fieldNames(); it.hasNext();) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        throw ApiException.badRequest("unknown key \"" + key + "\"; a predict request has signature_name, "
            + "instances or inputs, and top_k");
      }
    }
    JsonNode name = body.get("signature_name");
    if (name != null && !name.isTextual()) {
      throw ApiException.badRequest("signature_name must be a string, got " + JsonTensors.describe(name));
    }
    Endpoint endpoint = endpoints.apply(name == null ? DEFAULT_SIGNATURE : name.textValue());
    int topK = topK(body.get("top_k"), endpoint);
    boolean rows = body.has("instances");
    if (rows == body.has("inputs")) {
      throw ApiException.badRequest(rows ? "give either \"instances\" (row format) or \"inputs\" (columnar format), "
          + "not both" : "missing \"instances\" (row format) or \"inputs\" (columnar format)");
    }
    List<Map<String, JsonNode>> values = rows ? rows(body.get("instances"), endpoint, maxInstances)
        : columns(body.get("inputs"), endpoint, maxInstances);
    List<Instance> instances = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      instances.add(endpoint.read(values.get(i), topK, (rows ? "instances[" : "inputs[") + i + "]"));
    }
    return new PredictRequest(endpoint, instances, !rows);
  }

  private static int topK(JsonNode k, Endpoint endpoint) {
    if (k == null) {
      return 0;
    }
    if (!endpoint.supportsTopK()) {
      throw ApiException.badRequest("top_k applies to the next-word signature of a language model, not to "
          + endpoint.name());
    }
    if (!k.isIntegralNumber() || k.longValue() < 1 || k.longValue() > endpoint.maxTopK()) {
      throw ApiException.badRequest("top_k must be an integer in [1, " + endpoint.maxTopK() + "], got " + k);
    }
    return k.intValue();
  }

  private static void count(int n, int maxInstances, String what) {
    if (n == 0) {
      throw ApiException.badRequest(what + " is empty: give at least one instance");
    }
    if (n > maxInstances) {
      throw ApiException.badRequest("too many instances: " + n + " in " + what + ", at most " + maxInstances
          + " per request (--max-batch)");
    }
  }

  private static List<Map<String, JsonNode>> rows(JsonNode instances, Endpoint endpoint, int maxInstances) {
    if (!instances.isArray()) {
      throw ApiException.badRequest("\"instances\" must be a list, got " + JsonTensors.describe(instances));
    }
    count(instances.size(), maxInstances, "\"instances\"");
    List<String> names = endpoint.inputNames();
    List<Map<String, JsonNode>> out = new ArrayList<>();
    for (int i = 0; i < instances.size(); i++) {
      JsonNode x = instances.get(i);
      if (names.size() == 1 && !(x.isObject() && x.has(names.get(0)))) {
        if (x.isObject()) {
          throw ApiException.badRequest("instances[" + i + "] names inputs " + fieldNames(x) + "; "
              + endpoint.name() + " has the input " + names);
        }
        out.add(Map.of(names.get(0), x));
      } else {
        out.add(named(x, names, "instances[" + i + "]", endpoint));
      }
    }
    return out;
  }

  private static Map<String, JsonNode> named(JsonNode x, List<String> names, String where, Endpoint endpoint) {
    if (!x.isObject()) {
      throw ApiException.badRequest(where + " must be an object with the inputs " + names + " of " + endpoint.name()
          + ", got " + JsonTensors.describe(x));
    }
    Map<String, JsonNode> m = new HashMap<>();
    for (Iterator<String> it = x.fieldNames(); it.hasNext();) {
      String key = it.next();
      if (!names.contains(key)) {
        throw ApiException.badRequest(where + ": unknown input \"" + key + "\"; " + endpoint.name() + " has the inputs "
            + names);
      }
      m.put(key, x.get(key));
    }
    for (String n : names) {
      if (!m.containsKey(n)) {
        throw ApiException.badRequest(where + " lacks the input \"" + n + "\" of " + endpoint.name());
      }
    }
    return m;
  }

  private static List<Map<String, JsonNode>> columns(JsonNode inputs, Endpoint endpoint, int maxInstances) {
    List<String> names = endpoint.inputNames();
    Map<String, JsonNode> byName = names.size() == 1 && !(inputs.isObject() && inputs.has(names.get(0)))
        ? Map.of(names.get(0), inputs) : named(inputs, names, "\"inputs\"", endpoint);
    int n = -1;
    for (String name : names) {
      JsonNode column = byName.get(name);
      if (!column.isArray()) {
        throw ApiException.badRequest("inputs." + name + " must be a list with one entry per instance, got "
            + JsonTensors.describe(column));
      }
      if (n >= 0 && column.size() != n) {
        throw ApiException.badRequest("the inputs hold different numbers of instances: " + n + " and " + column.size()
            + " (inputs." + name + ")");
      }
      n = column.size();
    }
    count(n, maxInstances, "\"inputs\"");
    List<Map<String, JsonNode>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Map<String, JsonNode> m = new HashMap<>();
      for (String name : names) {
        m.put(name, byName.get(name).get(i));
      }
      out.add(m);
    }
    return out;
  }

  private static List<String> fieldNames(JsonNode x) {
    List<String> names = new ArrayList<>();
    x.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** The answer in the request's format. */
  public ObjectNode answer(List<Map<String, JsonNode>> results) {
    List<String> outputs = endpoint.outputNames();
    ObjectNode body = JSON.objectNode();
    if (!columnar) {
      ArrayNode predictions = body.putArray("predictions");
      for (Map<String, JsonNode> r : results) {
        if (outputs.size() == 1) {
          predictions.add(r.get(outputs.get(0)));
        } else {
          ObjectNode o = predictions.addObject();
          outputs.forEach(name -> o.set(name, r.get(name)));
        }
      }
    } else if (outputs.size() == 1) {
      ArrayNode column = body.putArray("outputs");
      results.forEach(r -> column.add(r.get(outputs.get(0))));
    } else {
      ObjectNode columns = body.putObject("outputs");
      for (String name : outputs) {
        ArrayNode column = columns.putArray(name);
        results.forEach(r -> column.add(r.get(name)));
      }
    }
    return body;
  }
}
