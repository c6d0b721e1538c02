package org.beyondsoftmax.train;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.beyondsoftmax.cluster.ClusterOptimizer;
import org.beyondsoftmax.models.lm.LanguageModelSession;
import org.beyondsoftmax.models.lm.ShardedLanguageModelGraph;
import org.beyondsoftmax.models.lm.Signatures;
import org.beyondsoftmax.models.nn.PartitionedVariable;
import org.beyondsoftmax.models.optim.Optimizer;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Moves values between a cluster's variables and the one-process twin of the model
 * ({@link LanguageModelSession}, whose graph is {@code LanguageModelGraph}'s), by name: every
 * variable of the twin (weights, Adam's moments, the learning rate) has its parts on the ps tasks,
 * each holding rows [offset, offset + rows) of it; the twin's update count is the cluster's global
 * step. The chief pushes the twin's values to initialize or resume the cluster, and pulls the
 * cluster's into the twin to checkpoint and export: checkpoints are the one-process model's, shards
 * joined.
 *
 * <p>One variable at a time crosses: the chief holds the twin plus one variable's parts. The
 * cluster's side (a placeholder and an assign per part) is built with the cluster's graph, before
 * its session opens; the twin's side (slices and concatenations) in the twin's graph.
 */
final class ShardTransfer {
  /** What a variable of the twin is on the cluster: a weight, an optimizer state, the learning rate. */
  enum Role { MODEL, OPTIMIZER, LEARNING_RATE }

  /** A part on the cluster: rows [offset, offset + rows) of the twin's variable. */
  record Part(Variable<TFloat32> variable, long offset, Placeholder<TFloat32> in, Op assign) {}

  /** A variable of the twin, its parts, and the twin's ops that split and join it. */
  record Entry(String name, Role role, List<Part> parts, List<Operand<TFloat32>> slices,
      List<Placeholder<TFloat32>> joinIn, Op join) {}

  private final List<Entry> entries = new ArrayList<>();
  private final Placeholder<TInt64> stepIn;
  private final Op setStep;

  /**
   * @param cluster the cluster graph's ops (before its session opens)
   * @param model the cluster's model
   * @param rule the chief's update rule, holding Adam's moments
   * @param twin the one-process twin (its graph gains the transfer ops)
   * @throws IllegalStateException when a variable of the twin has no counterpart on the cluster
   */
  ShardTransfer(Ops cluster, ShardedLanguageModelGraph model, ClusterOptimizer rule, LanguageModelSession twin) {
    Graph g = twin.graph();
    Ops t = Ops.create(g).withSubScope("transfer");
    Set<String> names = new HashSet<>();
    for (Iterator<GraphOperation> it = g.operations(); it.hasNext(); ) {
      GraphOperation op = it.next();
      if (op.type().equals("VariableV2")) {
        names.add(op.name());
      }
    }
    add(cluster, t, g, model.learningRate().name(), Role.LEARNING_RATE, model.learningRate(), -1, rule);
    for (PartitionedVariable v : model.variables()) {
      add(cluster, t, g, v.name(), Role.MODEL, v, -1, rule);
      List<String> slots = List.of("m", "v");
      for (int k = 0; k < slots.size(); k++) {
        String suffix = "/" + Optimizer.slotName(v.name(), slots.get(k));
        List<String> found = names.stream().filter(n -> n.endsWith(suffix)).toList();
        if (!found.isEmpty()) {
          add(cluster, t, g, found.get(0), Role.OPTIMIZER, v, k, rule);
        }
      }
    }
    entries.forEach(e -> names.remove(e.name()));
    names.remove(Signatures.GLOBAL_STEP);
    if (!names.isEmpty()) {
      throw new IllegalStateException("the one-process model's variables " + names + " have no counterpart on the cluster");
    }
    stepIn = t.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    setStep = t.assign((Operand<TInt64>) (Operand<?>) g.operation(Signatures.GLOBAL_STEP).output(0), stepIn);
  }

  /** The entry of the twin's variable {@code name}: state {@code slot} of v's parts (-1: the parts themselves). */
  private void add(Ops cluster, Ops t, Graph g, String name, Role role, PartitionedVariable v, int slot,
      ClusterOptimizer rule) {
    Operand<TFloat32> whole = (Operand<TFloat32>) (Operand<?>) g.operation(name).output(0);
    List<Part> parts = new ArrayList<>();
    List<Operand<TFloat32>> slices = new ArrayList<>();
    List<Placeholder<TFloat32>> joinIn = new ArrayList<>();
    List<Operand<TFloat32>> pieces = new ArrayList<>();
    for (PartitionedVariable.Part p : v.parts()) {
      Variable<TFloat32> on = slot < 0 ? p.variable() : rule.state(p.variable()).get(slot);
      Shape shape = on.shape();
      Placeholder<TFloat32> in = cluster.placeholder(TFloat32.class, Placeholder.shape(shape));
      parts.add(new Part(on, p.offset(), in, cluster.assign(on, in)));
      joinIn.add(t.placeholder(TFloat32.class, Placeholder.shape(shape)));
      pieces.add(joinIn.get(joinIn.size() - 1));
      if (!v.partitioned()) {
        slices.add(t.identity(whole));
      } else {
        long[] begin = new long[shape.numDimensions()];
        begin[0] = p.offset();
        slices.add(t.slice(whole, t.constant(begin), t.constant(shape.asArray())));
      }
    }
    Operand<TFloat32> joined = joinIn.size() == 1 ? joinIn.get(0) : t.concat(pieces, t.constant(0));
    entries.add(new Entry(name, role, parts, slices, joinIn, t.assign(whole, joined)));
  }

  /** The twin's variables and their parts. */
  List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** Sets every part on the cluster from the twin. */
  void push(LanguageModelSession twin, Session cluster) {
    for (Entry e : entries) {
      Session.Runner from = twin.session().runner();
      e.slices().forEach(from::fetch);
      try (Result values = from.run()) {
        Session.Runner to = cluster.runner();
        for (int i = 0; i < e.parts().size(); i++) {
          to.feed(e.parts().get(i).in(), values.get(i)).addTarget(e.parts().get(i).assign());
        }
        to.run().close();
      }
    }
  }

  /** Sets every variable of the twin from the cluster's parts, and its update count to {@code step}. */
  void pull(Session cluster, LanguageModelSession twin, long step) {
    for (Entry e : entries) {
      Session.Runner from = cluster.runner();
      e.parts().forEach(p -> from.fetch(p.variable()));
      try (Result values = from.run()) {
        Session.Runner to = twin.session().runner();
        for (int i = 0; i < e.parts().size(); i++) {
          to.feed(e.joinIn().get(i), values.get(i));
        }
        to.addTarget(e.join()).run().close();
      }
    }
    try (Tensor s = TInt64.scalarOf(step)) {
      twin.session().runner().feed(stepIn, s).addTarget(setStep).run().close();
    }
  }
}
