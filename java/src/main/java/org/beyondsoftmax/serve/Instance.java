package org.beyondsoftmax.serve;

import java.util.Map;
import org.beyondsoftmax.savedmodel.TensorValues;

/**
 * One instance of a predict request, validated against its endpoint: the values of every input
 * (without the batch axis) and the request's {@code top_k} (0: the endpoint's default).
 */
public record Instance(Map<String, TensorValues> inputs, int topK) {
  public Instance {
    inputs = Map.copyOf(inputs);
  }
}
