package org.beyondsoftmax.diagnose;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Running means over the causal attention rows of one layer's H heads, fed the weights
 * P [B, H, T, T] (query t, key s; query t sees the n_t = t + 1 keys s &lt;= t) batch by batch.
 * Per head, over all rows:
 *
 * <ul>
 *   <li>entropy H(p) = -sum_s p_s log p_s of the row normalised to sum 1, p = P_t / sum_s P_ts
 *       (sigmoid and softpick rows need not sum to 1); 0 &lt;= H &lt;= log n_t, reported beside the
 *       mean of log n_t (the uniform row's entropy);
 *   <li>support: the number of keys with weight &gt; 0 (&lt;= n_t; sparsemax and entmax give
 *       exact zeros, Correia et al. 2019 report it per head);
 *   <li>mass: sum_s P_ts (1 for the normalisers on the simplex);
 *   <li>selectivity: the share of the row's mass on its k largest weights, for k = 1, 2, 4, ...
 *       up to T (all of it once k &gt;= n_t).
 * </ul>
 *
 * Rows of mass 0 (softpick can give one) count towards support and mass only.
 */
final class AttentionStatistics {
  private final int heads;
  private final int steps;
  private final int[] ks;
  private final long[] rows;
  private final long[] massRows;
  private final double[] entropy;
  private final double[] logKeys;
  private final double[] keys;
  private final double[] support;
  private final double[] mass;
  private final double[][] topMass;

  AttentionStatistics(int heads, int steps) {
    this.heads = heads;
    this.steps = steps;
    this.ks = powersOfTwo(steps);
    rows = new long[heads];
    massRows = new long[heads];
    entropy = new double[heads];
    logKeys = new double[heads];
    keys = new double[heads];
    support = new double[heads];
    mass = new double[heads];
    topMass = new double[heads][ks.length];
  }

  /** k = 1, 2, 4, ... &lt;= T. */
  static int[] powersOfTwo(int limit) {
    List<Integer> k = new ArrayList<>();
    for (int v = 1; v <= limit; v *= 2) {
      k.add(v);
    }
    return k.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Adds the rows of weights [batch, H, T, T], row-major. */
  void add(float[] weights, int batch) {
    if (weights.length != (long) batch * heads * steps * steps) {
      throw new IllegalArgumentException("weights must hold [" + batch + ", " + heads + ", " + steps + ", " + steps
          + "] values, got " + weights.length);
    }
    double[] row = new double[steps];
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < heads; h++) {
        for (int t = 0; t < steps; t++) {
          int n = t + 1;
          int at = ((b * heads + h) * steps + t) * steps;
          double total = 0;
          int on = 0;
          for (int s = 0; s < n; s++) {
            row[s] = weights[at + s];
            total += row[s];
            on += row[s] > 0 ? 1 : 0;
          }
          rows[h]++;
          keys[h] += n;
          logKeys[h] += Math.log(n);
          support[h] += on;
          mass[h] += total;
          if (!(total > 0)) {
            continue;
          }
          massRows[h]++;
          double e = 0;
          for (int s = 0; s < n; s++) {
            double p = row[s] / total;
            e -= p > 0 ? p * Math.log(p) : 0;
          }
          entropy[h] += e;
          double[] sorted = Arrays.copyOf(row, n);
          Arrays.sort(sorted);
          double top = 0;
          int taken = 0;
          for (int j = 0; j < ks.length; j++) {
            while (taken < Math.min(ks[j], n)) {
              top += sorted[n - 1 - taken];
              taken++;
            }
            topMass[h][j] += Math.min(1, top / total);
          }
        }
      }
    }
  }

  /** The means per head, with the normaliser's per-head values ({@code values}: name to [H]). */
  List<DiagnosticReport.AttentionHead> heads(int layer, Map<String, float[]> values) {
    List<DiagnosticReport.AttentionHead> out = new ArrayList<>();
    for (int h = 0; h < heads; h++) {
      Map<String, Double> top = new LinkedHashMap<>();
      for (int j = 0; j < ks.length; j++) {
        top.put(String.valueOf(ks[j]), massRows[h] == 0 ? null : topMass[h][j] / massRows[h]);
      }
      Map<String, Double> learned = new LinkedHashMap<>();
      int head = h;
      values.forEach((name, v) -> learned.put(name, (double) v[head]));
      out.add(new DiagnosticReport.AttentionHead(layer, h, rows[h],
          massRows[h] == 0 ? null : entropy[h] / massRows[h], logKeys[h] / rows[h], support[h] / rows[h],
          keys[h] / rows[h], mass[h] / rows[h], top, learned));
    }
    return out;
  }
}
