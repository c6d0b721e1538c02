package org.beyondsoftmax.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * One signature of a loaded model as the server serves it: it reads and validates instances
 * (so that a bad one is a 400 before it reaches a batch), says which instances can share a
 * session run, and runs them together.
 */
public interface Endpoint {
  /** The signature's name, e.g. {@code serving_default}. */
  String name();

  /** The inputs an instance names, in order; one input lets an instance be the bare value. */
  List<String> inputNames();

  /** The outputs of each result, in order; with one, a result is the bare value. */
  List<String> outputNames();

  /** Whether the request option {@code top_k} applies; at most {@link #maxTopK()}. */
  default boolean supportsTopK() {
    return false;
  }

  default int maxTopK() {
    return 0;
  }

  /**
   * Reads one instance.
   *
   * @param values the JSON value of every input, by name (all of {@link #inputNames()})
   * @param where the instance's place in the request, e.g. {@code instances[3]}, for messages
   * @throws ApiException 400 naming the place and the problem
   */
  Instance read(Map<String, JsonNode> values, int topK, String where);

  /** Instances with equal keys can run in one session run. */
  Object batchKey(Instance instance);

  /**
   * Runs instances of one batch key in one session run.
   *
   * @return per instance, its outputs by name, as JSON
   */
  List<Map<String, JsonNode>> run(List<Instance> instances);

  /** The signature as TensorFlow Serving's metadata shows it (inputs, outputs, method name). */
  JsonNode signatureDef();
}
