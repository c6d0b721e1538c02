package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;

/** Gumbel-max sampling and the Gumbel-softmax relaxation. */
class GumbelTest {

  /** Sample frequencies of argmax(x + G) match softmax(x): Pearson chi-square, fixed seed. */
  @Test
  void perturbedArgmaxSamplesSoftmax() {
    double[] logits = {1.0, 0.2, -0.5, 2.0, 0.0};
    int rows = 40000;
    double[] x = new double[rows * logits.length];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(logits, 0, x, r * logits.length, logits.length);
    }
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> in = g.input(x, rows, logits.length);
      double[] samples = g.run(Mappings.perturbedArgmax(g.tf, in, 1234L));
      double[] p = g.run(Mappings.softmax(g.tf, g.input(logits, 1, logits.length)));
      long[] counts = new long[logits.length];
      for (double s : samples) {
        counts[(int) s]++;
      }
      double chi2 = 0;
      for (int i = 0; i < counts.length; i++) {
        double expected = rows * p[i];
        chi2 += (counts[i] - expected) * (counts[i] - expected) / expected;
      }
      // 4 degrees of freedom: P(chi2 > 18.47) = 0.001
      assertTrue(chi2 < 18.47, "chi-square " + chi2 + " for counts " + java.util.Arrays.toString(counts));
    }
  }

  /** Hard Gumbel-softmax: one-hot values, gradient of the soft relaxation (straight-through). */
  @Test
  void hardIsOneHotWithSoftGradient() {
    double[] x = {0.3, -1.2, 2.0, 0.7, 0.1, 0.9, -0.4, 1.5};
    double[] w = {1.0, -2.0, 0.5, 3.0, -1.0, 0.25, 2.0, -0.5};
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> in = g.input(x, 2, 4);
      Operand<TFloat64> noise = g.input(new double[] {0.1, 0.5, -0.3, 0.2, 0.0, 0.4, 0.9, -0.1}, 2, 4);
      Operand<TFloat64> wIn = g.input(w, 2, 4);
      Operand<TFloat64> hard = Gumbel.softmax(g.tf, in, noise, 0.5, true);
      Operand<TFloat64> soft = Gumbel.softmax(g.tf, in, noise, 0.5, false);
      List<double[]> out =
          g.run(List.of(hard, g.vjp(hard, wIn, List.of(in)).get(0), g.vjp(soft, wIn, List.of(in)).get(0)));
      for (int r = 0; r < 2; r++) {
        double sum = 0;
        for (int j = 0; j < 4; j++) {
          double v = out.get(0)[r * 4 + j];
          assertTrue(v == 0.0 || Math.abs(v - 1.0) < 1e-12, "one-hot entry " + v);
          sum += v;
        }
        assertEquals(1.0, sum, 1e-12);
      }
      assertArrayEquals(out.get(2), out.get(1), 1e-12);
    }
  }

  /** The seeded op repeats its sequence in a new graph with the same seed. */
  @Test
  void seedReproduces() {
    double[][] draws = new double[2][];
    for (int k = 0; k < 2; k++) {
      try (TestGraph g = new TestGraph()) {
        Operand<TFloat64> in = g.input(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, 2, 3);
        draws[k] = g.run(Mappings.gumbelSoftmax(g.tf, in, 1.0, false, 99L));
      }
    }
    assertArrayEquals(draws[0], draws[1], 0.0);
  }
}
