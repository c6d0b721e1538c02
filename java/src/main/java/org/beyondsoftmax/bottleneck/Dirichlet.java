package org.beyondsoftmax.bottleneck;

import java.util.SplittableRandom;

/**
 * Seeded samples of Dirichlet(alpha, ..., alpha) distributions: normalised Gamma(alpha, 1) draws
 * (Marsaglia &amp; Tsang 2000, "A Simple Method for Generating Gamma Variables"; for alpha &lt; 1,
 * Gamma(alpha) = Gamma(alpha + 1) U^(1/alpha)). Plain Java, so a seed gives the same targets on
 * every machine.
 */
public final class Dirichlet {
  private Dirichlet() {}

  /**
   * {@code rows} distributions over {@code classes} classes, row-major [rows * classes].
   *
   * @param alpha the concentration, &gt; 0 (small alpha: peaked distributions)
   */
  public static double[] sample(int rows, int classes, double alpha, long seed) {
    if (!(alpha > 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("alpha must be finite and > 0, got " + alpha);
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] p = new double[rows * classes];
    for (int i = 0; i < rows; i++) {
      double sum = 0;
      while (sum == 0) { // all draws underflowing to 0 is possible for tiny alpha: draw again
        for (int j = 0; j < classes; j++) {
          p[i * classes + j] = gamma(random, alpha);
          sum += p[i * classes + j];
        }
      }
      for (int j = 0; j < classes; j++) {
        p[i * classes + j] /= sum;
      }
    }
    return p;
  }

  static double gamma(SplittableRandom random, double shape) {
    if (shape < 1) {
      double u = random.nextDouble();
      return gamma(random, shape + 1) * Math.pow(u, 1 / shape);
    }
    double d = shape - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x;
      double v;
      do {
        x = normal(random);
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      double u = random.nextDouble();
      if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
        return d * v;
      }
    }
  }

  /** A standard normal draw (Box-Muller; the second value is dropped for simplicity). */
  private static double normal(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }
}
