package org.beyondsoftmax.ops;

import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.TensorFlow;
import org.tensorflow.proto.OpDef;

/**
 * Which ops a graph holds, and which of them are not TensorFlow's own: a graph built inside
 * {@link Kernels#portable()} has none, so it runs (and its SavedModel loads) wherever TensorFlow
 * does, without this library.
 */
public final class PortableGraphs {
  private PortableGraphs() {}

  /** Every op type in {@code graph}, sorted. */
  public static Set<String> opTypes(Graph graph) {
    Set<String> types = new TreeSet<>();
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext();) {
      types.add(it.next().type());
    }
    return types;
  }

  /**
   * The op types of {@code graph} that TensorFlow itself does not define: not in
   * {@link TensorFlow#registeredOpList()}, or this project's fused kernels ({@code Beyond*},
   * registered in-process when they are loaded).
   */
  public static Set<String> foreignOps(Graph graph) {
    Set<String> registered = TensorFlow.registeredOpList().getOpList().stream().map(OpDef::getName)
        .collect(Collectors.toSet());
    return opTypes(graph).stream().filter(t -> !registered.contains(t) || t.startsWith("Beyond"))
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
