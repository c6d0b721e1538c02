package org.beyondsoftmax.bench;

import java.util.List;
import java.util.Map;
import org.beyondsoftmax.ops.Kernels;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
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
public final class OpBenchmark implements InterleavedRunner.Step, AutoCloseable {
  private final String name;
  private final BenchShape shape;
  private final Graph graph;
  private final Session session;
  private final Map<Operand<?>, Tensor> feeds;
  private final List<Operand<?>> gradients;

  private OpBenchmark(String name, BenchShape shape, Graph graph, Session session,
      Map<Operand<?>, Tensor> feeds, List<Operand<?>> gradients) {
    this.name = name;
    this.shape = shape;
    this.graph = graph;
    this.session = session;
    this.feeds = feeds;
    this.gradients = gradients;
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

  @Override
  public BenchShape shape() {
    return shape;
  }

  /** Runs one forward+backward step; returns the wall time of Session.run in milliseconds. */
  @Override
  public double timeStepMillis() {
    Session.Runner runner = session.runner();
    feeds.forEach(runner::feed);
    gradients.forEach(runner::fetch);
    long start = System.nanoTime();
    Result result = runner.run();
    long end = System.nanoTime();
    result.close();
    return (end - start) / 1e6;
  }

  @Override
  public void close() {
    try {
      session.close();
    } finally {
      graph.close();
    }
  }
}
