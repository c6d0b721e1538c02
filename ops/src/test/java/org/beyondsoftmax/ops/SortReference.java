package org.beyondsoftmax.ops;

import java.util.Arrays;

/** Textbook sort-based sparsemax and 1.5-entmax of one row, in plain Java (test oracle). */
final class SortReference {
  private SortReference() {}

  static double[] sparsemax(double[] z) {
    double[] s = z.clone();
    Arrays.sort(s);
    double cum = 0;
    double tau = 0;
    for (int j = 1; j <= s.length; j++) {
      double v = s[s.length - j];
      cum += v;
      if (1 + j * v > cum) {
        tau = (cum - 1) / j;
      }
    }
    double[] p = new double[z.length];
    for (int i = 0; i < z.length; i++) {
      p[i] = Math.max(z[i] - tau, 0);
    }
    return p;
  }

  static double[] entmax15(double[] x) {
    double max = Arrays.stream(x).max().orElseThrow();
    double[] z = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      z[i] = (x[i] - max) / 2;
    }
    double[] s = z.clone();
    Arrays.sort(s);
    double sum = 0;
    double sumSq = 0;
    double tau = 0;
    for (int j = 1; j <= s.length; j++) {
      double v = s[s.length - j];
      sum += v;
      sumSq += v * v;
      double mean = sum / j;
      double delta = (1 - (sumSq - j * mean * mean)) / j;
      double t = mean - Math.sqrt(Math.max(delta, 0));
      if (t <= v) {
        tau = t;
      }
    }
    double[] p = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double d = Math.max(z[i] - tau, 0);
      p[i] = d * d;
    }
    return p;
  }
}
