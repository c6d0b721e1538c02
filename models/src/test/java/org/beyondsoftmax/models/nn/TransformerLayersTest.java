package org.beyondsoftmax.models.nn;

import static org.beyondsoftmax.models.testing.Harness.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.beyondsoftmax.models.testing.Harness;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;

/**
 * The Transformer's layers against their formulas in plain Java: layer normalisation, the GELU
 * feed-forward layer (with known values of the normal CDF), their gradients by finite
 * differences, and per-element dropout keyed by step and site.
 */
class TransformerLayersTest {
  @Test
  void layerNormNormalisesTheLastAxisThenScalesAndShifts() {
    try (Harness g = new Harness()) {
      Parameters<TFloat64> p = new Parameters<>(g.tf, TFloat64.class, 1, "part");
      LayerNorm<TFloat64> norm = new LayerNorm<>(p, "norm", 3);
      double[] x = Harness.random(1, 2 * 2 * 3, 3.0);
      Operand<TFloat64> in = g.input(x, 2, 2, 3);
      double[] gain = {1.5, -0.5, 2};
      double[] bias = {0.1, 0.2, -0.3};
      g.set(Harness.float64(p.all().get(0).variable()), gain);
      g.set(Harness.float64(p.all().get(1).variable()), bias);
      Operand<TFloat64> y = norm.apply(g.tf, in);
      double[] expected = new double[x.length];
      for (int r = 0; r < 4; r++) {
        double mean = (x[3 * r] + x[3 * r + 1] + x[3 * r + 2]) / 3;
        double var = 0;
        for (int j = 0; j < 3; j++) {
          var += (x[3 * r + j] - mean) * (x[3 * r + j] - mean) / 3;
        }
        for (int j = 0; j < 3; j++) {
          expected[3 * r + j] = gain[j] * (x[3 * r + j] - mean) / Math.sqrt(var + LayerNorm.EPSILON) + bias[j];
        }
      }
      assertClose("layer norm", expected, g.run(y), 1e-12, 1e-12);
      Operand<TFloat64> dy = g.input(Harness.random(2, 12, 1.0), 2, 2, 3);
      g.assertGradients(g.objective(y, dy), List.of(in, Harness.float64(p.all().get(0).variable())),
          List.of("x", "gain"), 1e-6, 1e-8, 1e-6);
      var e = assertThrows(IllegalArgumentException.class, () -> norm.apply(g.tf, g.input(new double[4], 1, 4)));
      assertEquals("x must have shape [..., 3], got [1, 4]", e.getMessage());
    }
  }

  @Test
  void feedForwardIsGeluBetweenTwoLinearLayers() {
    try (Harness g = new Harness()) {
      Parameters<TFloat64> p = new Parameters<>(g.tf, TFloat64.class, 1, "part");
      FeedForward<TFloat64> ff = new FeedForward<>(p, "ff", 2, 2);
      // W1 = W2 = identity, b = 0: y = GELU(x) = x Phi(x)
      g.set(Harness.float64(p.all().get(0).variable()), new double[] {1, 0, 0, 1});
      g.set(Harness.float64(p.all().get(2).variable()), new double[] {1, 0, 0, 1});
      double[] x = {1, -1, 0.5, 2};
      double[] phi = {0.8413447460685429, 0.15865525393145707, 0.6914624612740131, 0.9772498680518208};
      double[] expected = new double[4];
      for (int i = 0; i < 4; i++) {
        expected[i] = x[i] * phi[i];
      }
      Operand<TFloat64> in = g.input(x, 2, 2);
      assertClose("GELU", expected, g.run(ff.apply(g.tf, in)), 1e-14, 1e-14);
      g.set(Harness.float64(p.all().get(0).variable()), Harness.random(3, 4, 1.0));
      Operand<TFloat64> dy = g.input(Harness.random(4, 4, 1.0), 2, 2);
      List<Operand<TFloat64>> inputs = new java.util.ArrayList<>(List.of(in));
      p.all().forEach(v -> inputs.add(Harness.float64(v.variable())));
      g.assertGradients(g.objective(ff.apply(g.tf, in), dy), inputs,
          List.of("x", "in_weights", "in_bias", "out_weights", "out_bias"), 1e-6, 1e-8, 1e-6);
    }
  }

  @Test
  void dropoutPerElementIsKeyedByStepAndSite() {
    try (Harness g = new Harness()) {
      Operand<TInt64> step = g.tf.constant(7L);
      Dropout<TFloat64> d = new Dropout<>(0.25, 5, step);
      Operand<TFloat64> ones = g.tf.fill(g.tf.constant(new long[] {20, 50}), g.tf.constant(1.0));
      double[] a = g.run(d.apply(g.tf, ones, 3));
      int kept = 0;
      for (double v : a) {
        assertTrue(v == 0 || Math.abs(v - 1 / 0.75) < 1e-12, "0 or 1 / (1 - rate): " + v);
        kept += v > 0 ? 1 : 0;
      }
      assertTrue(Math.abs(kept / 1000.0 - 0.75) < 0.05, "about 3/4 kept: " + kept);
      assertClose("same step and site", a, g.run(new Dropout<TFloat64>(0.25, 5, step).apply(g.tf, ones, 3)), 0, 0);
      assertNotEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(g.run(d.apply(g.tf, ones, 4))),
          "another site, another mask");
      double[] locked = g.run(d.locked(g.tf, g.tf.fill(g.tf.constant(new long[] {4, 5, 6}), g.tf.constant(1.0)), 3));
      for (int t = 1; t < 4; t++) {
        for (int j = 0; j < 30; j++) {
          assertEquals(locked[j], locked[t * 30 + j], "locked: one mask for all time steps");
        }
      }
      var e = assertThrows(IllegalArgumentException.class, () -> d.apply(g.tf, ones, Dropout.SITES));
      assertEquals("site must be in [0, 64), got 64", e.getMessage());
    }
  }
}
