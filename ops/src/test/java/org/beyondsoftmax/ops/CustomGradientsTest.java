package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;

/** The IdentityN dispatcher: tagged instances use their rule, plain ones stay identity. */
class CustomGradientsTest {

  @Test
  void plainIdentityNKeepsIdentityGradient() {
    try (TestGraph g = new TestGraph()) {
      Mappings.sparsemax(g.tf, g.input(new double[] {1, 2}, 1, 2)); // registers the dispatcher
      Operand<TFloat64> x = g.input(new double[] {1, 2, 3}, 3);
      @SuppressWarnings("unchecked")
      Operand<TFloat64> y = (Operand<TFloat64>) g.tf.identityN(List.of(x, g.tf.constant(1.0))).output().get(0);
      Operand<TFloat64> w = g.input(new double[] {0.5, -1, 2}, 3);
      assertArrayEquals(new double[] {0.5, -1, 2}, g.run(g.vjp(y, w, List.of(x)).get(0)), 0.0);
    }
  }

  @Test
  void ruleGetsTheNodeAndItsAttributes() {
    CustomGradients.define("test_scale", (tf, node, up) -> {
      double factor = CustomGradients.doubleAttr(node, "factor");
      @SuppressWarnings("unchecked")
      Operand<TFloat64> g = (Operand<TFloat64>) (Operand<?>) up.get(0);
      return List.of(CustomGradients.passThrough(node, 0), tf.math.mul(g, tf.constant(factor)));
    });
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> x = g.input(new double[] {1, 2}, 2);
      Operand<TFloat64> y = CustomGradients.apply(g.tf, "test_scale", g.tf.math.square(x), List.of(x),
          Map.of("factor", 0.125));
      Operand<TFloat64> w = g.input(new double[] {1, 1}, 2);
      List<double[]> out = g.run(List.of(y, g.vjp(y, w, List.of(x)).get(0)));
      assertArrayEquals(new double[] {1, 4}, out.get(0), 0.0);
      assertArrayEquals(new double[] {0.125, 0.125}, out.get(1), 0.0);
    }
  }

  /** A VariableV2 (a reference output) can feed a custom-gradient op directly. */
  @Test
  void variableInputs() {
    try (TestGraph g = new TestGraph()) {
      var slopes = g.tf.variable(g.tf.constant(new double[] {0.1, -0.3, 0.7, 0.2}));
      Operand<TFloat64> x = g.input(new double[] {-1.5, 0.2, 0.9}, 3);
      Operand<TFloat64> y = Mappings.plif(g.tf, x, slopes, 2.0);
      Operand<TFloat64> w = g.input(new double[] {1, 1, 1}, 3);
      try (var s = new org.tensorflow.Session(g.graph)) {
        s.initialize();
        var grad = g.tf.gradients(g.objective(y, w), List.of(slopes)).dy(0);
        try (var r = s.runner().feed(x, org.tensorflow.types.TFloat64.vectorOf(-1.5, 0.2, 0.9))
            .feed(w, org.tensorflow.types.TFloat64.vectorOf(1, 1, 1)).fetch(grad).run()) {
          double[] d = TestGraph.toDoubles(r.get(0));
          assertEquals(4, d.length);
          // x = -1.5 lies in interval 0, 0.2 and 0.9 in interval 2; nothing reaches interval 3
          org.junit.jupiter.api.Assertions.assertTrue(d[0] > 0 && d[1] > 0 && d[2] > 0, java.util.Arrays.toString(d));
          assertEquals(0.0, d[3]);
        }
      }
    }
  }

  /** The Tsallis entropy is differentiable in alpha (no OnesLike on the path). */
  @Test
  void tsallisEntropyHasAnAlphaGradient() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> p = g.input(new double[] {0.5, 0.3, 0.2, 0.0}, 1, 4);
      Operand<TFloat64> a = g.input(new double[] {1.5}, 1, 1);
      Operand<TFloat64> h = Entropies.tsallis(g.tf, p, a);
      Operand<TFloat64> one = g.input(new double[] {1}, 1, 1);
      double[] analytic = g.run(g.vjp(h, one, List.of(a)).get(0));
      double[] numeric = g.numericGradient(g.objective(h, one), a, 1e-6);
      TestGraph.assertClose("dH/dalpha", numeric, analytic, 1e-7, 1e-6);
    }
  }

  /** Graphs built and differentiated on several threads at once, first use included. */
  @Test
  void concurrentUse() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<double[]>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(pool.submit(() -> {
          try (TestGraph g = new TestGraph()) {
            Operand<TFloat64> x = g.input(new double[] {0.2, 1.0, -0.5, 0.7}, 1, 4);
            Operand<TFloat64> y = Mappings.entmax15(g.tf, x);
            return g.run(g.vjp(y, g.input(new double[] {1, 0, 0, 0}, 1, 4), List.of(x)).get(0));
          }
        }));
      }
      double[] first = results.get(0).get();
      for (Future<double[]> f : results) {
        assertArrayEquals(first, f.get(), 0.0);
      }
      assertEquals(4, first.length);
    } finally {
      pool.shutdownNow();
    }
  }
}
