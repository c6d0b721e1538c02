package org.beyondsoftmax.ops;

import static org.beyondsoftmax.ops.testing.TestGraph.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.beyondsoftmax.ops.testing.RandomValues;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gather;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * The neural cache ops against plain-Java loops ({@link CacheReference}) and their properties: no
 * look-ahead, an empty cache leaves the head unchanged, a sparse head's zeros get cache mass,
 * exactness in log space, layouts, run-time parameter checks.
 */
class NeuralCacheTest {
  private static final double TOL = 1e-10;

  /** The graph inputs of one cache: queries, keys, words, validity in the rank of the queries. */
  record Inputs(Operand<TFloat64> queries, Operand<TFloat64> keys, Operand<TInt32> words,
      Operand<TBool> valid) {}

  static Inputs inputs(TestGraph g, CacheReference c, boolean sequences) {
    long[] qs = sequences ? new long[] {c.n, c.t, c.d} : new long[] {c.n, c.d};
    long[] vs = sequences ? new long[] {c.n, c.t, c.l} : new long[] {c.n, c.l};
    return new Inputs(g.input(c.queries, qs), g.input(c.keys, c.n, c.l, c.d),
        g.labels(c.words, c.n, c.l), bools(g, c.valid, vs));
  }

  /** A bool input, fed as int32 0/1. */
  static Operand<TBool> bools(TestGraph g, boolean[] b, long... shape) {
    int[] x = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      x[i] = b[i] ? 1 : 0;
    }
    return g.tf.math.notEqual(g.labels(x, shape), g.tf.constant(0));
  }

  /** A cache with a query without valid memories (row 1) and repeated words. */
  static CacheReference sample(Random r, int n, int t, int l, int d, int vocabulary) {
    CacheReference c = CacheReference.random(r, n, t, l, d, vocabulary, 0.8, 0.7);
    for (int i = 0; i < l; i++) {
      c.valid[(1 * t) * l + i] = false;
    }
    c.valid[0] = true;
    c.words[1] = c.words[0];
    return c;
  }

  private static int[] targets(Random r, CacheReference c, int vocabulary) {
    int[] y = new int[c.n * c.t];
    for (int i = 0; i < y.length; i++) {
      // half the targets are a memory's word of that row
      y[i] = r.nextBoolean() ? c.words[(i / c.t) * c.l + r.nextInt(c.l)] : r.nextInt(vocabulary);
    }
    return y;
  }

  @ParameterizedTest(name = "queries of rank {0}")
  @ValueSource(ints = {2, 3})
  void matchesReference(int rank) {
    Random r = new Random(3 + rank);
    int v = 7;
    int t = rank == 3 ? 4 : 1;
    CacheReference c = sample(r, 3, t, 5, 4, v);
    double[] head = CacheReference.logSoftmaxRows(r, c.n * t, v);
    head[2] = Double.NEGATIVE_INFINITY; // a sparse head
    head[v + 4] = Double.NEGATIVE_INFINITY;
    int[] y = targets(r, c, v);
    double[] headOfTargets = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      headOfTargets[i] = head[i * v + y[i]];
    }
    double lambda = 0.3;
    double theta = 0.7;
    try (TestGraph g = new TestGraph()) {
      Inputs in = inputs(g, c, rank == 3);
      long[] hs = rank == 3 ? new long[] {c.n, t, v} : new long[] {c.n, v};
      long[] ys = rank == 3 ? new long[] {c.n, t} : new long[] {c.n};
      Operand<TFloat64> h = g.input(head, hs);
      Operand<TInt32> targets = g.labels(y, ys);
      Ops tf = g.tf;
      List<double[]> out = g.run(List.of(
          NeuralCache.logCache(tf, in.queries, in.keys, in.words, in.valid, theta, v),
          NeuralCache.logProbabilities(tf, h, in.queries, in.keys, in.words, in.valid, lambda, theta),
          NeuralCache.logCacheOfTargets(tf, in.queries, in.keys, in.words, in.valid, targets, theta),
          NeuralCache.logProbabilitiesOfTargets(tf, g.input(headOfTargets, ys), in.queries, in.keys,
              in.words, in.valid, targets, lambda, theta)));
      assertClose("logCache", c.logCache(theta, v), out.get(0), TOL, TOL);
      assertClose("logProbabilities", c.logMixture(head, lambda, theta, v), out.get(1), TOL, TOL);
      assertClose("logCacheOfTargets", c.logCacheOfTargets(y, theta), out.get(2), TOL, TOL);
      assertClose("logProbabilitiesOfTargets",
          c.logMixtureOfTargets(headOfTargets, y, lambda, theta), out.get(3), TOL, TOL);
    }
  }

  /** The full distribution sums to 1 and agrees with the per-target op at the targets. */
  @Test
  void normalisedAndConsistentWithTargets() {
    Random r = new Random(17);
    int v = 9;
    CacheReference c = sample(r, 4, 3, 6, 5, v);
    double[] head = CacheReference.logSoftmaxRows(r, c.n * c.t, v);
    int[] y = targets(r, c, v);
    try (TestGraph g = new TestGraph()) {
      Ops tf = g.tf;
      Inputs in = inputs(g, c, true);
      Operand<TFloat64> h = g.input(head, c.n, c.t, v);
      Operand<TInt32> targets = g.labels(y, c.n, c.t);
      Operand<TFloat64> full =
          NeuralCache.logProbabilities(tf, h, in.queries, in.keys, in.words, in.valid, 0.25, 1.3);
      Operand<TFloat64> picked = tf.gather(full, targets, tf.constant(2),
          Gather.batchDims(2L));
      Operand<TFloat64> perTarget = NeuralCache.logProbabilitiesOfTargets(tf,
          tf.gather(h, targets, tf.constant(2), Gather.batchDims(2L)),
          in.queries, in.keys, in.words, in.valid, targets, 0.25, 1.3);
      Operand<TFloat64> total = tf.reduceSum(tf.math.exp(full), tf.constant(-1));
      List<double[]> out = g.run(List.of(total, picked, perTarget));
      double[] ones = new double[c.n * c.t];
      Arrays.fill(ones, 1.0);
      assertClose("sum of p", ones, out.get(0), 1e-12, 0);
      assertClose("per target", out.get(1), out.get(2), 1e-12, 1e-12);
    }
  }

  /** T queries sharing a row's memories give what each query gets with its own copy of them. */
  @Test
  void sequencesShareMemories() {
    Random r = new Random(23);
    int v = 6;
    CacheReference seq = sample(r, 2, 3, 5, 4, v);
    // the same as 6 independent queries, each with a copy of its row's memories
    int n = seq.n * seq.t;
    double[] keys = new double[n * seq.l * seq.d];
    int[] words = new int[n * seq.l];
    for (int a = 0; a < n; a++) {
      System.arraycopy(seq.keys, (a / seq.t) * seq.l * seq.d, keys, a * seq.l * seq.d, seq.l * seq.d);
      System.arraycopy(seq.words, (a / seq.t) * seq.l, words, a * seq.l, seq.l);
    }
    CacheReference flat = new CacheReference(n, 1, seq.l, seq.d, seq.queries, keys, words, seq.valid);
    double[] head = CacheReference.logSoftmaxRows(r, n, v);
    try (TestGraph g = new TestGraph()) {
      Inputs a = inputs(g, seq, true);
      Inputs b = inputs(g, flat, false);
      List<double[]> out = g.run(List.of(
          NeuralCache.logProbabilities(g.tf, g.input(head, seq.n, seq.t, v), a.queries, a.keys,
              a.words, a.valid, 0.4, 0.9),
          NeuralCache.logProbabilities(g.tf, g.input(head, n, v), b.queries, b.keys, b.words,
              b.valid, 0.4, 0.9)));
      assertClose("shared = copied", out.get(1), out.get(0), 1e-12, 1e-12);
    }
  }

  /**
   * No look-ahead: with the mask from positions, memories at or after a query's position change
   * nothing for it (values and gradients), whatever their keys and words; an empty slot (position
   * -1) gets no gradient.
   */
  @Test
  void noLookAhead() {
    Random r = new Random(29);
    int n = 2;
    int t = 4;
    int l = 6;
    int d = 3;
    int v = 5;
    int[] queryPos = {2, 3, 4, 5, 1, 2, 3, 4};
    int[] memoryPos = {0, 1, 2, 3, 4, 5, -1, 0, 1, 2, 3, 4};
    double[] q = RandomValues.gaussian(r, n * t * d, 1);
    double[] k = RandomValues.gaussian(r, n * l * d, 1);
    int[] w = {0, 1, 2, 3, 4, 0, 4, 3, 2, 1, 0, 4};
    double[] head = CacheReference.logSoftmaxRows(r, n * t, v);
    int[] y = {1, 2, 3, 4, 0, 1, 2, 3};
    // change every memory at or after the position of query t - 2 of its row
    double[] kChanged = k.clone();
    int[] wChanged = w.clone();
    for (int a = 0; a < n; a++) {
      for (int i = 0; i < l; i++) {
        if (memoryPos[a * l + i] >= queryPos[a * t + t - 2]) {
          for (int e = 0; e < d; e++) {
            kChanged[(a * l + i) * d + e] += 5 * r.nextGaussian();
          }
          wChanged[a * l + i] = (w[a * l + i] + 1) % v;
        }
      }
    }
    List<double[]> before = lookAheadRun(q, k, w, head, y, queryPos, memoryPos, n, t, l, d, v);
    List<double[]> after =
        lookAheadRun(q, kChanged, wChanged, head, y, queryPos, memoryPos, n, t, l, d, v);
    // queries 0 .. t-2 of each row cannot see the changed memories; query t-1 can
    String[] parts = {"log p", "log p(y)", "d queries"};
    boolean lastChanged = false;
    for (int part = 0; part < parts.length; part++) {
      int width = before.get(part).length / (n * t);
      for (int a = 0; a < n; a++) {
        for (int b = 0; b < t; b++) {
          int from = (a * t + b) * width;
          double[] x = Arrays.copyOfRange(before.get(part), from, from + width);
          double[] z = Arrays.copyOfRange(after.get(part), from, from + width);
          if (b < t - 1) {
            assertClose(parts[part] + " of query " + a + "," + b, x, z, 0, 0);
          } else {
            lastChanged |= !Arrays.equals(x, z);
          }
        }
      }
    }
    assertTrue(lastChanged, "the last queries see the changed memories");
    double[] gradKeys = before.get(3);
    for (int e = 0; e < d; e++) {
      assertEquals(0.0, Math.abs(gradKeys[(1 * l) * d + e]), "gradient of an empty slot's key");
    }
  }

  /** log p over V, log p of the targets, and the gradients in the queries and keys. */
  private static List<double[]> lookAheadRun(double[] q, double[] k, int[] w, double[] head,
      int[] y, int[] queryPos, int[] memoryPos, int n, int t, int l, int d, int v) {
    try (TestGraph g = new TestGraph()) {
      Ops tf = g.tf;
      Operand<TFloat64> queries = g.input(q, n, t, d);
      Operand<TFloat64> keys = g.input(k, n, l, d);
      Operand<TInt32> words = g.labels(w, n, l);
      Operand<TBool> valid =
          NeuralCache.causalMask(tf, g.labels(queryPos, n, t), g.labels(memoryPos, n, l));
      Operand<TFloat64> lambda = g.input(new double[] {0.3});
      Operand<TFloat64> theta = g.input(new double[] {0.8});
      Operand<TFloat64> h = g.input(head, n, t, v);
      Operand<TInt32> targets = g.labels(y, n, t);
      Operand<TFloat64> full =
          NeuralCache.logProbabilities(tf, h, queries, keys, words, valid, lambda, theta);
      Operand<TFloat64> perTarget = NeuralCache.logProbabilitiesOfTargets(tf,
          tf.gather(h, targets, tf.constant(2), Gather.batchDims(2L)),
          queries, keys, words, valid, targets, lambda, theta);
      // a sum over queries: the gradient in query (a, b) depends on its own outputs only
      Operand<TFloat64> objective = tf.math.add(
          g.objective(full, g.input(RandomValues.gaussian(new Random(1), n * t * v, 1), n, t, v)),
          tf.reduceSum(perTarget, tf.constant(new int[] {0, 1})));
      List<Operand<?>> grads = g.grads(objective, List.of(queries, keys));
      return g.run(List.of(full, perTarget, grads.get(0), grads.get(1)));
    }
  }

  @Test
  void causalMaskFromPositions() {
    try (TestGraph g = new TestGraph()) {
      Operand<TBool> mask = NeuralCache.causalMask(g.tf, g.labels(new int[] {0, 2, 5}, 3),
          g.labels(new int[] {-1, 0, 1, 4, 1, 2, 3, 4, 4, 5, 6, -2}, 3, 4));
      double[] got = g.run(g.tf.dtypes.cast(mask, TInt32.class));
      assertClose("valid", new double[] {0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0}, got, 0, 0);
    }
  }

  /** No valid memory: log p_cache = -inf everywhere, the mixture is the head exactly, no NaN. */
  @Test
  void emptyCacheIsTheHead() {
    Random r = new Random(31);
    int v = 5;
    CacheReference c = CacheReference.random(r, 3, 1, 4, 3, v, 1, 0);
    double[] head = CacheReference.logSoftmaxRows(r, c.n, v);
    head[3] = Double.NEGATIVE_INFINITY;
    int[] y = {0, 3, 4};
    try (TestGraph g = new TestGraph()) {
      Ops tf = g.tf;
      Inputs in = inputs(g, c, false);
      Operand<TFloat64> h = g.input(head, c.n, v);
      Operand<TFloat64> lambda = g.input(new double[] {0.6});
      Operand<TFloat64> theta = g.input(new double[] {0.5});
      Operand<TFloat64> full =
          NeuralCache.logProbabilities(tf, h, in.queries, in.keys, in.words, in.valid, lambda, theta);
      Operand<TFloat64> cache =
          NeuralCache.logCache(tf, in.queries, in.keys, in.words, in.valid, theta, v);
      Operand<TFloat64> mixture = NeuralCache.logMixture(tf, h, cache, lambda);
      Operand<TFloat64> o = g.objective(full, g.input(RandomValues.gaussian(r, c.n * v, 1), c.n, v));
      List<Operand<?>> grads = g.grads(o, List.of(lambda, theta, in.queries, in.keys, h));
      List<double[]> out = g.run(List.of(full, cache, mixture, grads.get(0), grads.get(1),
          grads.get(2), grads.get(3)));
      assertClose("head unchanged", head, out.get(0), 0, 0);
      double[] minusInf = new double[c.n * v];
      Arrays.fill(minusInf, Double.NEGATIVE_INFINITY);
      assertClose("empty cache", minusInf, out.get(1), 0, 0);
      assertClose("logMixture with an empty cache", head, out.get(2), 0, 0);
      for (int i = 3; i < 7; i++) {
        for (double x : out.get(i)) {
          assertEquals(0.0, Math.abs(x), "gradient " + i + " of an empty cache");
        }
      }
    }
  }

  /** A word outside a sparse head's support gets lambda p_cache; one outside both stays -inf. */
  @Test
  void sparseHeadZerosGetCacheMass() {
    int v = 4;
    // one query, memories with words 1 and 2, scores 0 and log 3: p_cache = (1/4, 3/4) on words 1, 2
    double[] q = {1, 0};
    double[] k = {0, 0, Math.log(3), 5};
    double[] head = {Math.log(0.5), Double.NEGATIVE_INFINITY, Math.log(0.5),
        Double.NEGATIVE_INFINITY};
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> out = NeuralCache.logProbabilities(g.tf, g.input(head, 1, v),
          g.input(q, 1, 2), g.input(k, 1, 2, 2), g.labels(new int[] {1, 2}, 1, 2),
          bools(g, new boolean[] {true, true}, 1, 2), 0.2, 1.0);
      assertClose("mixture", new double[] {Math.log(0.8 * 0.5), Math.log(0.2 * 0.25),
          Math.log(0.8 * 0.5 + 0.2 * 0.75), Double.NEGATIVE_INFINITY}, g.run(out), 1e-14, 1e-14);
    }
  }

  /**
   * Log space is exact: a word held only by a memory 2000 (float64) or 300 (float32) below the best
   * gets its finite log-probability, not -inf.
   */
  @Test
  void exactInLogSpace() {
    double[] q = {1};
    for (double gap : new double[] {2000, 300}) {
      double[] k = {0, -gap, -gap}; // words 0, 1, 1
      try (TestGraph g = new TestGraph()) {
        Operand<TFloat64> keys = g.input(k, 1, 3, 1);
        Operand<TFloat64> queries = g.input(q, 1, 1);
        Operand<TInt32> words = g.labels(new int[] {0, 1, 1}, 1, 3);
        Operand<TBool> valid = bools(g, new boolean[] {true, true, true}, 1, 3);
        Operand<TFloat64> y64 = NeuralCache.logCache(g.tf, queries, keys, words, valid, 1.0, 3);
        var y32 = NeuralCache.logCache(g.tf, g.tf.dtypes.cast(queries, TFloat32.class),
            g.tf.dtypes.cast(keys, TFloat32.class), words, valid, 1.0, 3);
        Operand<TFloat64> t64 = NeuralCache.logCacheOfTargets(g.tf, queries, keys, words, valid,
            g.labels(new int[] {1}, 1), 1.0);
        List<double[]> out = g.run(List.of(y64, y32, t64));
        double expected = -gap + Math.log(2); // log(2 e^-gap / (1 + 2 e^-gap))
        assertClose("float64", new double[] {0, expected, Double.NEGATIVE_INFINITY}, out.get(0),
            1e-12, 1e-15);
        assertClose("per target", new double[] {expected}, out.get(2), 1e-12, 1e-15);
        if (gap < 1000) {
          assertClose("float32", new double[] {0, expected, Double.NEGATIVE_INFINITY}, out.get(1),
              1e-4, 1e-6);
        }
      }
    }
  }

  /** float32 and float16 inputs agree with float64 (half precision is computed in float32). */
  @Test
  void lowerPrecisionAgrees() {
    Random r = new Random(41);
    int v = 6;
    CacheReference c = sample(r, 3, 2, 5, 4, v);
    double[] head = CacheReference.logSoftmaxRows(r, c.n * c.t, v);
    try (TestGraph g = new TestGraph()) {
      Ops tf = g.tf;
      Inputs in = inputs(g, c, true);
      Operand<TFloat64> h = g.input(head, c.n, c.t, v);
      Operand<TFloat64> y64 =
          NeuralCache.logProbabilities(tf, h, in.queries, in.keys, in.words, in.valid, 0.3, 0.6);
      var y32 = NeuralCache.logProbabilities(tf, tf.dtypes.cast(h, TFloat32.class),
          tf.dtypes.cast(in.queries, TFloat32.class), tf.dtypes.cast(in.keys, TFloat32.class),
          in.words, in.valid, 0.3, 0.6);
      var y16 = NeuralCache.logProbabilities(tf,
          tf.dtypes.cast(h, TFloat16.class),
          tf.dtypes.cast(in.queries, TFloat16.class),
          tf.dtypes.cast(in.keys, TFloat16.class), in.words, in.valid, 0.3, 0.6);
      assertEquals(TFloat16.class, y16.type());
      List<double[]> out = g.run(List.of(y64, y32, tf.dtypes.cast(y16, TFloat32.class)));
      assertClose("float32", out.get(0), out.get(1), 1e-5, 1e-5);
      assertClose("float16", out.get(0), out.get(2), 2e-2, 1e-2);
    }
  }

  @Test
  void tensorParametersAreCheckedAtRunTime() {
    Random r = new Random(43);
    CacheReference c = sample(r, 3, 1, 4, 2, 5);
    try (TestGraph g = new TestGraph()) {
      Inputs in = inputs(g, c, false);
      Operand<TFloat64> h = g.input(CacheReference.logSoftmaxRows(r, 3, 5), 3, 5);
      Operand<TFloat64> lambda = g.input(new double[] {1.5});
      Operand<TFloat64> theta = g.input(new double[] {1.0});
      Operand<TFloat64> y = NeuralCache.logProbabilities(g.tf, h, in.queries, in.keys, in.words,
          in.valid, lambda, theta);
      Exception e = assertThrows(Exception.class, () -> g.run(y));
      assertTrue(e.getMessage().contains("lambda must be in [0, 1]"), e.getMessage());
      g.set(lambda, new double[] {0.5});
      g.set(theta, new double[] {-0.1});
      e = assertThrows(Exception.class, () -> g.run(y));
      assertTrue(e.getMessage().contains("theta must be finite and > 0"), e.getMessage());
      g.set(theta, new double[] {0.1});
      assertEquals(15, g.run(y).length);
    }
  }

  @Test
  void memoryWordsOutOfRangeFailAtRunTime() {
    try (TestGraph g = new TestGraph()) {
      // word 7 >= V = 5 in a valid memory; -1 in an invalid one is fine
      Operand<TInt32> words = g.labels(new int[] {7, -1}, 1, 2);
      Operand<TFloat64> y = NeuralCache.logCache(g.tf, g.input(new double[] {1}, 1, 1),
          g.input(new double[] {1, 2}, 1, 2, 1), words, bools(g, new boolean[] {true, false}, 1, 2),
          1.0, 5);
      Exception e = assertThrows(Exception.class, () -> g.run(y));
      assertTrue(e.getMessage().contains("memoryWords must be in [0, V)"), e.getMessage());
      Operand<TFloat64> ok = NeuralCache.logCache(g.tf, g.input(new double[] {1}, 1, 1),
          g.input(new double[] {1, 2}, 1, 2, 1), g.labels(new int[] {3, -1}, 1, 2),
          bools(g, new boolean[] {true, false}, 1, 2), 1.0, 5);
      assertClose("valid words", new double[] {Double.NEGATIVE_INFINITY,
          Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, Double.NEGATIVE_INFINITY},
          g.run(ok), 0, 0);
    }
  }

  /** One named scope per public op, so that an exported graph reads like the code. */
  @Test
  void namedScopes() {
    Random r = new Random(47);
    CacheReference c = sample(r, 3, 1, 4, 2, 5);
    try (TestGraph g = new TestGraph()) {
      Inputs in = inputs(g, c, false);
      NeuralCache.logProbabilities(g.tf, g.input(new double[15], 3, 5), in.queries, in.keys,
          in.words, in.valid, 0.1, 0.3);
      NeuralCache.logProbabilitiesOfTargets(g.tf, g.input(new double[3], 3), in.queries, in.keys,
          in.words, in.valid, g.labels(new int[3], 3), 0.1, 0.3);
      Set<String> scopes = new TreeSet<>();
      g.graph.operations().forEachRemaining(o -> {
        int slash = o.name().indexOf('/');
        if (slash > 0) {
          scopes.add(o.name().substring(0, slash));
        }
      });
      assertTrue(scopes.containsAll(
          List.of("cacheLogProbabilities", "cacheLogProbabilitiesOfTargets")), scopes.toString());
    }
  }
}
