package org.beyondsoftmax.framework;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.beyondsoftmax.framework.losses.SparseCrossEntropy;
import org.beyondsoftmax.framework.metrics.Perplexity;
import org.beyondsoftmax.framework.optimizers.Momentum;
import org.beyondsoftmax.framework.optimizers.RMSProp;
import org.beyondsoftmax.models.heads.HeadConfig;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.heads.OutputHead;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.framework.activations.Softmax;
import org.tensorflow.framework.optimizers.GradientDescent;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/**
 * A head's variables train with the framework's optimizers through {@code minimize} (which trains
 * every VariableV2 of the graph): the softmax head on a learnable problem, with our
 * {@link SparseCrossEntropy} on its log-probabilities and a {@link Perplexity} metric in the same
 * graph, built after {@code minimize}: a variable the loss does not reach (a metric's) stops the
 * framework's optimizer. {@code GradientDescent} is the framework's own; {@link Momentum} and
 * {@link RMSProp} the framework's with slots that scoped variables can have (tensorflow/java#413,
 * shown below).
 */
class FrameworkOptimizersTest {
  private static final int N = 64;
  private static final int D = 6;
  private static final int M = 5;

  /** Hidden states and the labels of a random linear teacher: a problem the head can learn. */
  private static int[] teacherLabels(double[] h) {
    double[] w = new SplittableRandom(2).doubles(D * M, -1, 1).toArray();
    int[] y = new int[N];
    for (int i = 0; i < N; i++) {
      double best = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < M; j++) {
        double z = 0;
        for (int k = 0; k < D; k++) {
          z += h[i * D + k] * w[k * M + j];
        }
        if (z > best) {
          best = z;
          y[i] = j;
        }
      }
    }
    return y;
  }

  private static void trains(String optimizer, Function<Graph, Optimizer> create, int steps) {
    double[] hv = new SplittableRandom(1).doubles(N * D, -2, 2).toArray();
    try (TestGraph g = new TestGraph()) {
      OutputHead<TFloat32> head = Heads.create("softmax", new HeadConfig<>(g.tf, TFloat32.class, D, M, 3));
      Operand<TFloat32> h = g.input32(hv, N, D);
      var labels = g.labels(teacherLabels(hv), N);
      Operand<TFloat32> loss = new SparseCrossEntropy().call(g.tf, labels, head.logProbabilities(h), null);
      Op step = create.apply(g.graph).minimize(loss);
      Perplexity perplexity = new Perplexity(); // after minimize: see the test below
      Op update = perplexity.updateState(g.tf, labels, new Softmax().call(g.tf, head.logProbabilities(h)), null);
      List<double[]> before = head.parameters().stream().map(p -> g.run(p.variable())).toList();
      double first = g.run(loss)[0];
      for (int i = 0; i < steps; i++) {
        g.run(step);
      }
      double last = g.run(loss)[0];
      assertTrue(last < 0.5 * first, optimizer + ": the loss halves at least: " + first + " -> " + last);
      for (int i = 0; i < before.size(); i++) {
        assertFalse(Arrays.equals(before.get(i), g.run(head.parameters().get(i).variable())),
            optimizer + " trains " + head.parameters().get(i).name());
      }
      g.run(update);
      assertEquals(Math.exp(last), g.run(perplexity.result(g.tf, TFloat32.class))[0], 1e-3 * Math.exp(last),
          optimizer + ": the metric's variables were left alone (perplexity = exp(loss))");
    }
  }

  @Test
  void aMetricBuiltBeforeMinimizeStopsTheFrameworksOptimizer() {
    // what the README and the metrics' javadoc warn about: minimize differentiates the loss with
    // respect to every VariableV2 of the graph, and TensorFlow refuses one the loss does not reach
    try (TestGraph g = new TestGraph()) {
      OutputHead<TFloat32> head = Heads.create("softmax", new HeadConfig<>(g.tf, TFloat32.class, D, M, 3));
      Operand<TFloat32> h = g.input32(new double[N * D], N, D);
      var labels = g.labels(new int[N], N);
      new Perplexity().updateState(g.tf, labels, new Softmax().call(g.tf, head.logProbabilities(h)), null);
      Operand<TFloat32> loss = new SparseCrossEntropy().call(g.tf, labels, head.logProbabilities(h), null);
      var e = assertThrows(TFInvalidArgumentException.class, () -> new GradientDescent(g.graph, 0.5f).minimize(loss));
      assertTrue(e.getMessage().contains("Perplexity_total") && e.getMessage().contains("unreachable"), e.getMessage());
    }
  }

  @Test
  void theFrameworksOwnSlotOptimizersRefuseScopedVariables() {
    // why org.beyondsoftmax.framework.optimizers exists: when this fails, TF-Java has fixed #413
    for (Function<Graph, Optimizer> create : List.<Function<Graph, Optimizer>>of(
        graph -> new org.tensorflow.framework.optimizers.Momentum(graph, 0.1f, 0.9f),
        graph -> new org.tensorflow.framework.optimizers.RMSProp(graph, 0.01f))) {
      try (TestGraph g = new TestGraph()) {
        OutputHead<TFloat32> head = Heads.create("softmax", new HeadConfig<>(g.tf, TFloat32.class, D, M, 3));
        Operand<TFloat32> loss = new SparseCrossEntropy().call(g.tf, g.labels(new int[N], N),
            head.logProbabilities(g.input32(new double[N * D], N, D)), null);
        var e = assertThrows(IllegalArgumentException.class, () -> create.apply(g.graph).minimize(loss));
        assertTrue(e.getMessage().contains("invalid name: 'softmax/class_weights-"), e.getMessage());
      }
    }
  }

  @Test
  void gradientDescent() {
    trains("GradientDescent", graph -> new GradientDescent(graph, 0.5f), 150);
  }

  @Test
  void momentum() {
    trains("Momentum", graph -> new Momentum(graph, 0.1f, 0.9f), 150);
  }

  @Test
  void rmsProp() {
    trains("RMSProp", graph -> new RMSProp(graph, 0.01f), 150);
  }
}
