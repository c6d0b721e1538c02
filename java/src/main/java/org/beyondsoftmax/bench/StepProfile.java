package org.beyondsoftmax.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;

/**
 * Where the time of a traced step goes: each node's op time from TensorFlow's step stats (op start
 * to op end, as TensorFlow's timeline shows it), summed per op type, averaged over the traced
 * steps, with the nodes that took longest. Nodes run in parallel on several threads, so the sum
 * can exceed the step's wall time: the shares compare op types with each other, not with the clock.
 *
 * @param steps the traced steps averaged
 * @param totalMillis the op time summed over every node, per step
 * @param opTypes the op types, most time first
 * @param nodes the single nodes that took longest, most time first
 */
public record StepProfile(
    @JsonProperty("steps") int steps,
    @JsonProperty("total_ms") double totalMillis,
    @JsonProperty("op_types") List<Entry> opTypes,
    @JsonProperty("nodes") List<Entry> nodes) {
  /**
   * An op type (with how many of its nodes ran) or a node (its op type in {@code of}), its op time
   * per step and its share of {@code total_ms}.
   */
  public record Entry(
      @JsonProperty("name") String name,
      @JsonProperty("of") String of,
      @JsonProperty("ms") double millis,
      @JsonProperty("share") double share) {}

  /**
   * The profile of {@code traces} of one graph, keeping the {@code top} op types and nodes.
   *
   * @throws IllegalArgumentException when there is no trace or {@code top < 1}
   */
  public static StepProfile of(Graph graph, List<RunMetadata> traces, int top) {
    if (traces.isEmpty()) {
      throw new IllegalArgumentException("traces must hold at least one step's metadata, got none");
    }
    if (top < 1) {
      throw new IllegalArgumentException("top must be >= 1, got " + top);
    }
    Map<String, Double> byNode = new HashMap<>();
    for (RunMetadata m : traces) {
      for (DeviceStepStats device : m.getStepStats().getDevStatsList()) {
        for (NodeExecStats n : device.getNodeStatsList()) {
          double micros = Math.max(0, n.getOpEndRelMicros() - n.getOpStartRelMicros());
          byNode.merge(n.getNodeName(), micros / 1000.0 / traces.size(), Double::sum);
        }
      }
    }
    double total = byNode.values().stream().mapToDouble(Double::doubleValue).sum();
    Map<String, Double> byType = new HashMap<>();
    Map<String, Integer> count = new HashMap<>();
    Map<String, String> typeOf = new HashMap<>();
    byNode.forEach((node, ms) -> {
      String type = opType(graph, node);
      typeOf.put(node, type);
      byType.merge(type, ms, Double::sum);
      count.merge(type, 1, Integer::sum);
    });
    List<Entry> types = new ArrayList<>();
    byType.forEach((type, ms) -> types.add(new Entry(type, count.get(type) + " nodes", ms, share(ms, total))));
    List<Entry> nodes = new ArrayList<>();
    byNode.forEach((node, ms) -> nodes.add(new Entry(node, typeOf.get(node), ms, share(ms, total))));
    Comparator<Entry> longestFirst = Comparator.comparingDouble(Entry::millis).reversed().thenComparing(Entry::name);
    types.sort(longestFirst);
    nodes.sort(longestFirst);
    return new StepProfile(traces.size(), total, List.copyOf(types.subList(0, Math.min(top, types.size()))),
        List.copyOf(nodes.subList(0, Math.min(top, nodes.size()))));
  }

  /** The node's op type; TensorFlow's own nodes that are not in the graph (_SOURCE, _SINK, sends) by name. */
  private static String opType(Graph graph, String node) {
    GraphOperation op = graph.operation(node);
    return op != null ? op.type() : node.startsWith("_") ? node : "(not in the graph)";
  }

  private static double share(double ms, double total) {
    return total > 0 ? ms / total : 0;
  }
}
