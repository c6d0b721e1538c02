package org.beyondsoftmax.bench;

import java.util.List;
import java.util.Map;
import org.beyondsoftmax.ops.Kernels;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;

/**
 * One op's benchmark graph for one shape: the scalar objective, its gradient with respect to the
 * differentiable inputs (tf.gradients) and one session (composite cases are built inside
 * {@code Kernels.portable()}, fused ones with the fused CPU kernels); a step is one Session.run
 * that feeds the inputs and fetches the gradients, i.e. forward + backward. Owns its graph and
 * session (not the fed tensors, which belong to the shape's {@link BenchInputs}).
 */
public final class OpBenchmark extends GraphStep {
  private final String name;
  private final BenchShape shape;

  private OpBenchmark(String name, BenchShape shape, Graph graph, Session session,
      Map<Operand<?>, Tensor> feeds, List<Operand<?>> gradients) {
    super(graph, session, feeds, gradients);
    this.name = name;
    this.shape = shape;
  }

  /** Builds the graph of {@code benchCase} over the inputs of one shape. */
  public static OpBenchmark build(BenchCase benchCase, BenchInputs data) {
    Graph graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      GraphInputs in = new GraphInputs(tf, data);
      if (benchCase.fused() && !Kernels.nativeLoaded()) {
        throw new IllegalStateException("fused CPU kernels not available: " + Kernels.status());
      }
      Operand<TFloat32> objective;
      Gradients grads;
      try (var portable = benchCase.fused() ? null : Kernels.portable()) {
        objective = benchCase.objective().build(in);
        if (objective.shape().numDimensions() != 0) {
          throw new IllegalStateException(
              "objective of " + benchCase.name() + " must be a scalar, got shape "
                  + objective.shape());
        }
        grads = tf.gradients(objective, in.differentiable());
      }
      List<Operand<?>> fetches = List.copyOf(grads.dy());
      Session session = new Session(graph);
      return new OpBenchmark(
          benchCase.name(), data.shape(), graph, session, Map.copyOf(in.feeds()), fetches);
    } catch (RuntimeException | Error e) {
      graph.close();
      throw e;
    }
  }

  @Override
  public String name() {
    return name;
  }

  public BenchShape shape() {
    return shape;
  }

  @Override
  public String setting() {
    return shape.toString();
  }
}
