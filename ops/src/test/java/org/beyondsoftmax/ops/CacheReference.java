package org.beyondsoftmax.ops;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.beyondsoftmax.ops.testing.RandomValues;

/**
 * Plain-Java loops for the cache ops and losses, written from the papers' formulas in probability
 * space (no shifts, no log-sum-exp tricks), for inputs of moderate size. Layout: row-major flat
 * arrays, queries [N, T, d], keys [N, L, d], words [N, L], valid [N, T, L], head [N, T, V].
 */
final class CacheReference {
  final int n;
  final int t;
  final int l;
  final int d;
  final double[] queries;
  final double[] keys;
  final int[] words;
  final boolean[] valid;

  CacheReference(int n, int t, int l, int d, double[] queries, double[] keys, int[] words,
      boolean[] valid) {
    this.n = n;
    this.t = t;
    this.l = l;
    this.d = d;
    this.queries = queries;
    this.keys = keys;
    this.words = words;
    this.valid = valid;
  }

  /** Random memories: Gaussian queries and keys (scale), words in [0, vocabulary), valid w.p. pValid. */
  static CacheReference random(Random r, int n, int t, int l, int d, int vocabulary, double scale,
      double pValid) {
    double[] q = RandomValues.gaussian(r, n * t * d, scale);
    double[] k = RandomValues.gaussian(r, n * l * d, scale);
    int[] w = RandomValues.labels(r, n * l, vocabulary);
    boolean[] v = new boolean[n * t * l];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextDouble() < pValid;
    }
    return new CacheReference(n, t, l, d, q, k, w, v);
  }

  double score(int a, int b, int i, double theta) {
    double dot = 0;
    for (int e = 0; e < d; e++) {
      dot += queries[(a * t + b) * d + e] * keys[(a * l + i) * d + e];
    }
    return theta * dot;
  }

  boolean isValid(int a, int b, int i) {
    return valid[(a * t + b) * l + i];
  }

  boolean anyValid(int a, int b) {
    for (int i = 0; i < l; i++) {
      if (isValid(a, b, i)) {
        return true;
      }
    }
    return false;
  }

  /** p_cache(w | a, b) for every w, [V]; all 0 without valid memories. */
  double[] cache(int a, int b, double theta, int vocabulary) {
    double[] p = new double[vocabulary];
    double z = 0;
    for (int i = 0; i < l; i++) {
      if (isValid(a, b, i)) {
        double e = Math.exp(score(a, b, i, theta));
        p[words[a * l + i]] += e;
        z += e;
      }
    }
    for (int w = 0; w < vocabulary; w++) {
      p[w] = z > 0 ? p[w] / z : 0;
    }
    return p;
  }

  /** log p_cache, [N, T, V]. */
  double[] logCache(double theta, int vocabulary) {
    double[] out = new double[n * t * vocabulary];
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < t; b++) {
        double[] p = cache(a, b, theta, vocabulary);
        for (int w = 0; w < vocabulary; w++) {
          out[(a * t + b) * vocabulary + w] = Math.log(p[w]);
        }
      }
    }
    return out;
  }

  /** log((1 - lambda) p_head + lambda p_cache), [N, T, V]; the head alone without memories. */
  double[] logMixture(double[] logPHead, double lambda, double theta, int vocabulary) {
    double[] out = new double[n * t * vocabulary];
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < t; b++) {
        double[] p = cache(a, b, theta, vocabulary);
        double lam = anyValid(a, b) ? lambda : 0;
        for (int w = 0; w < vocabulary; w++) {
          int at = (a * t + b) * vocabulary + w;
          out[at] = Math.log((1 - lam) * Math.exp(logPHead[at]) + lam * p[w]);
        }
      }
    }
    return out;
  }

  /** log p_cache(y), [N, T]. */
  double[] logCacheOfTargets(int[] targets, double theta) {
    double[] out = new double[n * t];
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < t; b++) {
        double z = 0;
        double hit = 0;
        for (int i = 0; i < l; i++) {
          if (isValid(a, b, i)) {
            double e = Math.exp(score(a, b, i, theta));
            z += e;
            if (words[a * l + i] == targets[a * t + b]) {
              hit += e;
            }
          }
        }
        out[a * t + b] = z > 0 ? Math.log(hit / z) : Double.NEGATIVE_INFINITY;
      }
    }
    return out;
  }

  /** log((1 - lambda) p_head(y) + lambda p_cache(y)), [N, T]. */
  double[] logMixtureOfTargets(double[] logPHeadOfTargets, int[] targets, double lambda,
      double theta) {
    double[] cache = logCacheOfTargets(targets, theta);
    double[] out = new double[n * t];
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < t; b++) {
        int at = a * t + b;
        double lam = anyValid(a, b) ? lambda : 0;
        out[at] = Math.log((1 - lam) * Math.exp(logPHeadOfTargets[at]) + lam * Math.exp(cache[at]));
      }
    }
    return out;
  }

  /**
   * TRIME: -log of the joint-softmax mass on y over [V] logits and [L] memory similarities; 0 for
   * an empty row.
   */
  static double[] trime(double[] logits, int vocabulary, double[] sims, boolean[] valid,
      int[] words, int[] targets, int l) {
    int n = targets.length;
    double[] out = new double[n];
    for (int a = 0; a < n; a++) {
      double z = 0;
      double hit = 0;
      for (int v = 0; v < vocabulary; v++) {
        double e = Math.exp(logits[a * vocabulary + v]);
        z += e;
        if (v == targets[a]) {
          hit += e;
        }
      }
      for (int i = 0; i < l; i++) {
        if (valid[a * l + i]) {
          double e = Math.exp(sims[a * l + i]);
          z += e;
          if (words[a * l + i] == targets[a]) {
            hit += e;
          }
        }
      }
      out[a] = z == 0 ? 0 : -Math.log(hit / z);
    }
    return out;
  }

  /**
   * HistAlign's margin loss the way the released code computes it: per query, the memories sorted
   * (positives first, then order descending; stable, so ties keep index order), then for every
   * offset k the pairs (sorted[j], sorted[j + k]) of a positive and a negative, hinge max(0,
   * s_neg - s_pos + k margin), averaged per offset over the batch, then over the offsets with
   * pairs. Only valid memories are sorted (see CacheLosses#histAlignLoss).
   */
  static double histAlign(double[] sims, boolean[] valid, int[] words, int[] targets,
      double[] order, int l, double margin) {
    int n = targets.length;
    List<List<Integer>> sorted = new ArrayList<>();
    for (int a = 0; a < n; a++) {
      List<Integer> mem = new ArrayList<>();
      for (int i = 0; i < l; i++) {
        if (valid[a * l + i]) {
          mem.add(i);
        }
      }
      final int row = a;
      mem.sort(Comparator.<Integer>comparingInt(i -> words[row * l + i] == targets[row] ? 0 : 1)
          .thenComparing(i -> -order[row * l + i]));
      sorted.add(mem);
    }
    double total = 0;
    int offsets = 0;
    for (int k = 1; k < l; k++) {
      double sum = 0;
      int count = 0;
      for (int a = 0; a < n; a++) {
        List<Integer> mem = sorted.get(a);
        for (int j = 0; j + k < mem.size(); j++) {
          int p = mem.get(j);
          int q = mem.get(j + k);
          boolean pPositive = words[a * l + p] == targets[a];
          boolean qPositive = words[a * l + q] == targets[a];
          if (pPositive && !qPositive) {
            sum += Math.max(0, sims[a * l + q] - sims[a * l + p] + k * margin);
            count++;
          }
        }
      }
      if (count > 0) {
        total += sum / count;
        offsets++;
      }
    }
    return offsets == 0 ? 0 : total / offsets;
  }

  /** Row-wise log-softmax of Gaussian logits [rows, vocabulary], a head's log-probabilities. */
  static double[] logSoftmaxRows(Random r, int rows, int vocabulary) {
    double[] x = RandomValues.gaussian(r, rows * vocabulary, 1.5);
    for (int a = 0; a < rows; a++) {
      double z = 0;
      for (int v = 0; v < vocabulary; v++) {
        z += Math.exp(x[a * vocabulary + v]);
      }
      for (int v = 0; v < vocabulary; v++) {
        x[a * vocabulary + v] -= Math.log(z);
      }
    }
    return x;
  }
}
