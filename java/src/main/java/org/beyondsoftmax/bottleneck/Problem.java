package org.beyondsoftmax.bottleneck;

/**
 * The targets of one M: N rows P*(.|c_j) ~ Dirichlet(alpha) over M classes, row-major, in float64
 * (for exact reference computations) and float32 (what the graphs see).
 */
public record Problem(int contexts, int classes, double[] targets, float[] targets32) {

  public static Problem sample(int contexts, int classes, double alpha, long seed) {
    double[] p = Dirichlet.sample(contexts, classes, alpha, seed * 1_000_003L + classes);
    float[] f = new float[p.length];
    for (int i = 0; i < p.length; i++) {
      f[i] = (float) p[i];
    }
    return new Problem(contexts, classes, p, f);
  }

  /** argmax_j P*(j | c_i). */
  public int mode(int context) {
    int best = 0;
    for (int j = 1; j < classes; j++) {
      if (targets[context * classes + j] > targets[context * classes + best]) {
        best = j;
      }
    }
    return best;
  }
}
