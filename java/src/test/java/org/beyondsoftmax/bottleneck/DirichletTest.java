package org.beyondsoftmax.bottleneck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Seeded Dirichlet targets: distributions, reproducible, with the expected concentration. */
class DirichletTest {

  @Test
  void rowsAreDistributionsFixedByTheSeed() {
    double[] p = Dirichlet.sample(50, 30, 0.1, 7);
    for (int i = 0; i < 50; i++) {
      double sum = 0;
      for (int j = 0; j < 30; j++) {
        assertTrue(p[i * 30 + j] >= 0);
        sum += p[i * 30 + j];
      }
      assertEquals(1.0, sum, 1e-12);
    }
    assertArrayEquals(p, Dirichlet.sample(50, 30, 0.1, 7));
    assertFalse(Arrays.equals(p, Dirichlet.sample(50, 30, 0.1, 8)));
  }

  @Test
  void momentsMatchTheDirichlet() {
    int n = 4000;
    int m = 10;
    for (double alpha : new double[] {0.1, 1.0, 5.0}) {
      double[] p = Dirichlet.sample(n, m, alpha, 3);
      double mean = Arrays.stream(p).average().orElseThrow();
      double var = Arrays.stream(p).map(x -> (x - mean) * (x - mean)).average().orElseThrow();
      // E p_j = 1/M, Var p_j = (1/M)(1 - 1/M)/(M alpha + 1)
      double expectedVar = (1.0 / m) * (1 - 1.0 / m) / (m * alpha + 1);
      assertEquals(0.1, mean, 1e-12, "rows sum to 1, so the mean is exact");
      assertEquals(expectedVar, var, 0.05 * expectedVar, "alpha " + alpha);
    }
  }

  @Test
  void badAlphaIsRejected() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Dirichlet.sample(2, 2, 0, 1));
    assertEquals("alpha must be finite and > 0, got 0.0", e.getMessage());
  }
}
