package org.beyondsoftmax.ops.testing;

import java.util.random.RandomGenerator;

/**
 * Seeded test data drawn in order from the caller's generator ({@link java.util.Random},
 * {@link java.util.SplittableRandom}), so that a test's values depend on its seed and the order of
 * its draws only.
 */
public final class RandomValues {
  private RandomValues() {}

  /** n draws of N(0, scale^2), in order. */
  public static double[] gaussian(RandomGenerator r, int n, double scale) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = scale * r.nextGaussian();
    }
    return a;
  }

  /** n class ids uniform in [0, classes), in order. */
  public static int[] labels(RandomGenerator r, int n, int classes) {
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(classes);
    }
    return y;
  }
}
