package org.beyondsoftmax.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.beyondsoftmax.savedmodel.TensorValues;
import org.beyondsoftmax.savedmodel.ValueType;
import org.tensorflow.exceptions.TFInvalidArgumentException;

/**
 * An endpoint without a model, for the request and batching logic: int32 inputs of a given
 * per-instance shape; each result is {@code {"sum": sum of the instance's values, "batch": the
 * size of the run it was in}}. An instance holding {@value #POISON} fails its run (as TensorFlow's
 * InvalidArgument would); runs wait for {@link #gate} when one is set, and count down
 * {@link #entered} as they begin.
 */
final class FakeEndpoint implements Endpoint {
  static final int POISON = 666;
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final String name;
  private final List<String> inputs;
  private final long[] shape;
  final List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
  volatile CountDownLatch gate;
  final CountDownLatch entered = new CountDownLatch(1);

  FakeEndpoint(String name, List<String> inputs, long... shape) {
    this.name = name;
    this.inputs = inputs;
    this.shape = shape;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> inputNames() {
    return inputs;
  }

  @Override
  public List<String> outputNames() {
    return List.of("sum", "batch");
  }

  @Override
  public boolean supportsTopK() {
    return true;
  }

  @Override
  public int maxTopK() {
    return 5;
  }

  @Override
  public Instance read(Map<String, JsonNode> values, int topK, String where) {
    Map<String, TensorValues> m = new LinkedHashMap<>();
    for (String i : inputs) {
      m.put(i, JsonTensors.read(values.get(i), ValueType.INT32, shape, where + "." + i));
    }
    return new Instance(m, topK);
  }

  @Override
  public Object batchKey(Instance instance) {
    return Arrays.stream(instance.inputs().get(inputs.get(0)).shape()).boxed().toList();
  }

  @Override
  public List<Map<String, JsonNode>> run(List<Instance> instances) {
    entered.countDown();
    CountDownLatch g = gate;
    if (g != null) {
      try {
        g.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    batches.add(instances.size());
    List<Map<String, JsonNode>> out = new ArrayList<>();
    for (Instance i : instances) {
      long sum = 0;
      for (TensorValues v : i.inputs().values()) {
        for (long x : v.longs()) {
          if (x == POISON) {
            throw new TFInvalidArgumentException("poisoned value " + x);
          }
          sum += x;
        }
      }
      out.add(Map.of("sum", JSON.numberNode(sum), "batch", JSON.numberNode(instances.size())));
    }
    return out;
  }

  @Override
  public JsonNode signatureDef() {
    return JSON.objectNode();
  }
}
