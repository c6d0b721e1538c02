package org.beyondsoftmax.diagnose;

/**
 * The anisotropy of hidden states (Ethayarajh 2019; Godey et al. 2024): their mean pairwise cosine
 * similarity, accumulated in one pass. With u_i = h_i / |h_i| and S = sum_i u_i over N states,
 * sum_{i != j} cos(h_i, h_j) = |S|^2 - N, so the mean over the N (N - 1) ordered pairs is
 * (|S|^2 - N) / (N (N - 1)): exact, O(N d), no N x N matrix. Zero vectors are skipped.
 */
final class Anisotropy {
  private final double[] sum;
  private long count;

  Anisotropy(int dims) {
    sum = new double[dims];
  }

  /** Adds the rows of h [rows, d], row-major. */
  void add(float[] h) {
    int d = sum.length;
    for (int at = 0; at + d <= h.length; at += d) {
      double norm = 0;
      for (int k = 0; k < d; k++) {
        norm += (double) h[at + k] * h[at + k];
      }
      if (!(norm > 0)) {
        continue;
      }
      double inv = 1 / Math.sqrt(norm);
      for (int k = 0; k < d; k++) {
        sum[k] += h[at + k] * inv;
      }
      count++;
    }
  }

  long count() {
    return count;
  }

  /** The mean pairwise cosine similarity; NaN with fewer than 2 states. */
  double meanCosine() {
    if (count < 2) {
      return Double.NaN;
    }
    double s2 = 0;
    for (double v : sum) {
      s2 += v * v;
    }
    return Math.max(-1, Math.min(1, (s2 - count) / ((double) count * (count - 1))));
  }
}
