package org.beyondsoftmax.bottleneck;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Singular values of matrices built from known ones, and the numerical rank. */
class SingularValuesTest {

  /** A random orthogonal n x n matrix (Gram-Schmidt on Gaussian columns). */
  static double[][] orthogonal(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] q = new double[n][n];
    for (int j = 0; j < n; j++) {
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = r.nextDouble() * 2 - 1;
      }
      for (int k = 0; k < j; k++) {
        double d = 0;
        for (int i = 0; i < n; i++) {
          d += v[i] * q[i][k];
        }
        for (int i = 0; i < n; i++) {
          v[i] -= d * q[i][k];
        }
      }
      double norm = 0;
      for (double x : v) {
        norm += x * x;
      }
      for (int i = 0; i < n; i++) {
        q[i][j] = v[i] / Math.sqrt(norm);
      }
    }
    return q;
  }

  /** U diag(s) V^T for random orthogonal U (rows x rows) and V (cols x cols). */
  static double[][] withSingularValues(double[] s, int rows, int cols, long seed) {
    double[][] u = orthogonal(rows, seed);
    double[][] v = orthogonal(cols, seed + 1);
    double[][] a = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        for (int k = 0; k < s.length; k++) {
          a[i][j] += u[i][k] * s[k] * v[j][k];
        }
      }
    }
    return a;
  }

  @Test
  void recoversKnownSingularValuesOfWideAndTallMatrices() {
    double[] s = {9, 4, 2.5, 1, 1e-3};
    assertArrayEquals(s, SingularValues.of(withSingularValues(s, 5, 12, 1)), 1e-12);
    double[][] tall = withSingularValues(s, 12, 5, 2);
    assertArrayEquals(s, SingularValues.of(tall), 1e-12);
  }

  @Test
  void rankCountsValuesAboveTheFloat32Tolerance() {
    double[] s = {10, 3, 1e-3, 1e-6, 1e-9, 0, 0, 0};
    double[] computed = SingularValues.of(withSingularValues(s, 8, 20, 3));
    // tol = 20 * 10 * 2^-23 = 2.4e-5: 10, 3 and 1e-3 are above, 1e-6 and below are not
    assertEquals(3, SingularValues.rank(computed, 8, 20, SingularValues.FLOAT32_EPS));
    assertEquals(20 * 10 * Math.pow(2, -23),
        SingularValues.tolerance(computed, 8, 20, SingularValues.FLOAT32_EPS), 1e-12);
    assertEquals(5, SingularValues.rank(computed, 8, 20, Math.ulp(1.0)), "float64 tolerance");
  }

  @Test
  void aRankOneMatrixHasOneNonZeroValue() {
    double[][] a = new double[6][9];
    for (int i = 0; i < 6; i++) {
      for (int j = 0; j < 9; j++) {
        a[i][j] = (i + 1) * (j - 4.0);
      }
    }
    double[] s = SingularValues.of(a);
    assertEquals(6, s.length);
    double frobenius = 0;
    for (double[] row : a) {
      for (double x : row) {
        frobenius += x * x;
      }
    }
    assertEquals(Math.sqrt(frobenius), s[0], 1e-9);
    assertEquals(1, SingularValues.rank(s, 6, 9, SingularValues.FLOAT32_EPS));
  }

  /** Roy & Vetterli's effective rank: k for k equal values, 1 for one, between them otherwise. */
  @Test
  void effectiveRank() {
    assertEquals(3, SingularValues.effectiveRank(new double[] {2, 2, 2, 0}), 1e-12);
    assertEquals(1, SingularValues.effectiveRank(new double[] {5, 0, 0}), 1e-12);
    assertEquals(0, SingularValues.effectiveRank(new double[] {0, 0}), 0);
    // p = (3/4, 1/4): exp(-(3/4 log 3/4 + 1/4 log 1/4))
    assertEquals(Math.exp(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25))),
        SingularValues.effectiveRank(new double[] {3, 1}), 1e-12);
    assertEquals(2, SingularValues.countAbove(new double[] {3, 1, 1e-9}, 1e-6));
  }
}
