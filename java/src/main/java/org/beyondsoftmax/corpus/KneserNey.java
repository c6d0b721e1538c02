package org.beyondsoftmax.corpus;

import java.util.HashMap;
import java.util.Map;

/**
 * An interpolated modified Kneser-Ney trigram model (Chen &amp; Goodman 1999, section 3.5): the
 * count-based baseline for word language models. With discounts D_1, D_2, D_3+ per order,
 * estimated from the count-of-counts n_1..n_4 of that order's counts
 * (Y = n_1 / (n_1 + 2 n_2), D_k = k - (k + 1) Y n_{k+1} / n_k):
 *
 * <pre>
 *   p(w | u v) = max(c(u v w) - D(c(u v w)), 0) / c(u v .) + gamma(u v) p(w | v)
 *   p(w | v)   = max(N(. v w) - D'(N(. v w)), 0) / N(. v .) + gamma(v) p(w)
 *   p(w)       = max(N(. w) - D''(N(. w)), 0) / N(. .) + gamma / |V|
 * </pre>
 *
 * where c are training counts, N(. v w) the number of distinct words before "v w" (continuation
 * counts), N(. w) the number of distinct bigram types ending in w, and each gamma = (D_1 n_1 +
 * D_2 n_2 + D_3+ n_3+ of that context) / (its total), so every distribution sums to 1. An unseen
 * context falls back to the next lower order. The stream is read as one sequence (Brown has no
 * sentence marks), like the language models: the first word has no prediction, the second a
 * bigram context.
 */
public final class KneserNey {
  private final int vocabulary;
  private final Map<Long, Integer> trigrams = new HashMap<>();
  /** per (u, v): total count, and the numbers of w with count 1, 2, 3+. */
  private final Map<Long, int[]> trigramContexts = new HashMap<>();
  private final Map<Long, Integer> bigramContinuation = new HashMap<>();
  private final Map<Integer, int[]> bigramContexts = new HashMap<>();
  private final int[] unigramContinuation;
  private final long unigramTotal;
  private final int[] unigramClasses = new int[3];
  private final double[] d3;
  private final double[] d2;
  private final double[] d1;

  /** Counts {@code train} (word ids in [0, vocabulary)). */
  public KneserNey(int[] train, int vocabulary) {
    if (vocabulary < 1) {
      throw new IllegalArgumentException("vocabulary must be >= 1, got " + vocabulary);
    }
    this.vocabulary = vocabulary;
    for (int i = 2; i < train.length; i++) {
      trigrams.merge(key(train[i - 2], train[i - 1], train[i]), 1, Integer::sum);
    }
    long[] countOfCounts3 = new long[5];
    for (var e : trigrams.entrySet()) {
      long k = e.getKey();
      int c = e.getValue();
      int[] ctx = trigramContexts.computeIfAbsent(k / vocabulary, x -> new int[4]);
      ctx[0] += c;
      ctx[Math.min(c, 3)]++;
      if (c <= 4) {
        countOfCounts3[c]++;
      }
      bigramContinuation.merge(k % ((long) vocabulary * vocabulary), 1, Integer::sum);
    }
    long[] countOfCounts2 = new long[5];
    unigramContinuation = new int[vocabulary];
    for (var e : bigramContinuation.entrySet()) {
      long k = e.getKey();
      int n = e.getValue();
      int[] ctx = bigramContexts.computeIfAbsent((int) (k / vocabulary), x -> new int[4]);
      ctx[0] += n;
      ctx[Math.min(n, 3)]++;
      if (n <= 4) {
        countOfCounts2[n]++;
      }
      unigramContinuation[(int) (k % vocabulary)]++;
    }
    long[] countOfCounts1 = new long[5];
    long total = 0;
    for (int n : unigramContinuation) {
      total += n;
      if (n > 0) {
        unigramClasses[Math.min(n, 3) - 1]++;
        if (n <= 4) {
          countOfCounts1[n]++;
        }
      }
    }
    unigramTotal = total;
    d3 = discounts(countOfCounts3);
    d2 = discounts(countOfCounts2);
    d1 = discounts(countOfCounts1);
  }

  /** D_1, D_2, D_3+ from n_1..n_4 (index 1..4); 0.5 each where counts are too few to estimate. */
  static double[] discounts(long[] n) {
    if (n[1] == 0 || n[2] == 0 || n[3] == 0) {
      return new double[] {0, 0.5, 0.5, 0.5};
    }
    double y = n[1] / (n[1] + 2.0 * n[2]);
    double[] d = {0, 1 - 2 * y * n[2] / n[1], 2 - 3 * y * n[3] / n[2], 3 - 4 * y * n[4] / n[3]};
    for (int k = 1; k <= 3; k++) {
      d[k] = Math.max(0, Math.min(k, d[k]));
    }
    return d;
  }

  private long key(int u, int v, int w) {
    return ((long) u * vocabulary + v) * vocabulary + w;
  }

  /** The discounts D_1, D_2, D_3+ of order 3, 2, 1 (rows), for reports. */
  public double[][] discounts() {
    return new double[][] {
        {d3[1], d3[2], d3[3]}, {d2[1], d2[2], d2[3]}, {d1[1], d1[2], d1[3]}};
  }

  /** p(w). */
  public double unigram(int w) {
    double gamma = (d1[1] * unigramClasses[0] + d1[2] * unigramClasses[1] + d1[3] * unigramClasses[2]) / unigramTotal;
    int n = unigramContinuation[w];
    return Math.max(n - d1[Math.min(Math.max(n, 1), 3)], 0) / unigramTotal + gamma / vocabulary;
  }

  /** p(w | v). */
  public double bigram(int v, int w) {
    int[] ctx = bigramContexts.get(v);
    if (ctx == null) {
      return unigram(w);
    }
    int n = bigramContinuation.getOrDefault((long) v * vocabulary + w, 0);
    double gamma = (d2[1] * ctx[1] + d2[2] * ctx[2] + d2[3] * ctx[3]) / ctx[0];
    return (n == 0 ? 0 : Math.max(n - d2[Math.min(n, 3)], 0)) / ctx[0] + gamma * unigram(w);
  }

  /** p(w | u v). */
  public double trigram(int u, int v, int w) {
    int[] ctx = trigramContexts.get((long) u * vocabulary + v);
    if (ctx == null) {
      return bigram(v, w);
    }
    int c = trigrams.getOrDefault(key(u, v, w), 0);
    double gamma = (d3[1] * ctx[1] + d3[2] * ctx[2] + d3[3] * ctx[3]) / ctx[0];
    return (c == 0 ? 0 : Math.max(c - d3[Math.min(c, 3)], 0)) / ctx[0] + gamma * bigram(v, w);
  }

  /** The perplexity of {@code stream}'s words 1..n-1, each given up to two preceding words. */
  public double perplexity(int[] stream) {
    double nll = 0;
    for (int i = 1; i < stream.length; i++) {
      double p = i == 1 ? bigram(stream[0], stream[1]) : trigram(stream[i - 2], stream[i - 1], stream[i]);
      nll -= Math.log(p);
    }
    return Math.exp(nll / (stream.length - 1));
  }
}
