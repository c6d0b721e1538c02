package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
