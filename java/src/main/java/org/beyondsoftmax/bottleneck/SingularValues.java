package org.beyondsoftmax.bottleneck;

import java.util.Arrays;

/**
 * Singular values of a small dense matrix by one-sided Jacobi (Hestenes 1958; Demmel &amp;
 * Veselic 1992): plane rotations make the rows of A pairwise orthogonal, and the row norms are then
 * the singular values. High relative accuracy, O(sweeps r^2 c) time for an r x c matrix (r &lt;= c,
 * else A is transposed), no dependency. Fine for the few-hundred-row blocks of the experiment.
 */
public final class SingularValues {
  /** float32 machine epsilon, 2^-23: the log-probabilities come from float32 graphs. */
  public static final double FLOAT32_EPS = Math.ulp(1.0f);

  private static final int MAX_SWEEPS = 60;

  private SingularValues() {}

  /** The singular values of {@code a} (rows of equal length), largest first; min(r, c) of them. */
  public static double[] of(double[][] a) {
    if (a.length == 0 || a[0].length == 0) {
      return new double[0];
    }
    double[][] rows = a.length <= a[0].length ? copy(a) : transpose(a);
    int r = rows.length;
    for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      boolean rotated = false;
      for (int p = 0; p < r - 1; p++) {
        for (int q = p + 1; q < r; q++) {
          rotated |= orthogonalise(rows[p], rows[q]);
        }
      }
      if (!rotated) {
        break;
      }
    }
    double[] s = new double[r];
    for (int i = 0; i < r; i++) {
      s[i] = Math.sqrt(dot(rows[i], rows[i]));
    }
    Arrays.sort(s);
    for (int i = 0; i < r / 2; i++) {
      double t = s[i];
      s[i] = s[r - 1 - i];
      s[r - 1 - i] = t;
    }
    return s;
  }

  /**
   * The numerical rank: the number of singular values above tol = max(rows, cols) sigma_max eps,
   * NumPy's {@code matrix_rank} default, with eps the machine epsilon of the data's precision.
   */
  public static int rank(double[] singularValues, int rows, int cols, double eps) {
    double tol = tolerance(singularValues, rows, cols, eps);
    int rank = 0;
    for (double s : singularValues) {
      rank += s > tol ? 1 : 0;
    }
    return rank;
  }

  /**
   * The effective rank of Roy &amp; Vetterli (2007, "The effective rank: a measure of effective
   * dimensionality"): erank = exp(H(p)), H(p) = -sum_i p_i log p_i with p_i = sigma_i / sum_j
   * sigma_j (0 log 0 = 0). It lies in [1, min(rows, cols)], equals k for k equal non-zero singular
   * values, and is 0 for an all-zero (or empty) spectrum.
   */
  public static double effectiveRank(double[] singularValues) {
    double total = 0;
    for (double s : singularValues) {
      total += s;
    }
    if (!(total > 0)) {
      return 0;
    }
    double entropy = 0;
    for (double s : singularValues) {
      double p = s / total;
      if (p > 0) {
        entropy -= p * Math.log(p);
      }
    }
    return Math.exp(entropy);
  }

  /** The number of singular values above {@code tolerance}. */
  public static int countAbove(double[] singularValues, double tolerance) {
    int n = 0;
    for (double s : singularValues) {
      n += s > tolerance ? 1 : 0;
    }
    return n;
  }

  /** max(rows, cols) sigma_max eps. */
  public static double tolerance(double[] singularValues, int rows, int cols, double eps) {
    return singularValues.length == 0 ? 0 : Math.max(rows, cols) * singularValues[0] * eps;
  }

  /** Rotates rows x and y to be orthogonal; false when they already are (to ~1e-15). */
  private static boolean orthogonalise(double[] x, double[] y) {
    double alpha = dot(x, x);
    double beta = dot(y, y);
    double gamma = dot(x, y);
    if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma == 0) {
      return false;
    }
    double zeta = (beta - alpha) / (2 * gamma);
    double t = Math.signum(zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
    if (zeta == 0) {
      t = 1;
    }
    double c = 1 / Math.sqrt(1 + t * t);
    double s = c * t;
    for (int k = 0; k < x.length; k++) {
      double xk = x[k];
      double yk = y[k];
      x[k] = c * xk - s * yk;
      y[k] = s * xk + c * yk;
    }
    return true;
  }

  private static double dot(double[] x, double[] y) {
    double s = 0;
    for (int k = 0; k < x.length; k++) {
      s += x[k] * y[k];
    }
    return s;
  }

  private static double[][] copy(double[][] a) {
    double[][] c = new double[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }

  private static double[][] transpose(double[][] a) {
    double[][] t = new double[a[0].length][a.length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < a[i].length; j++) {
        t[j][i] = a[i][j];
      }
    }
    return t;
  }
}
