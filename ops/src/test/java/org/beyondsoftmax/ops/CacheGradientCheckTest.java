package org.beyondsoftmax.ops;

import static org.beyondsoftmax.ops.testing.TestGraph.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.beyondsoftmax.ops.NeuralCacheTest.Inputs;
import org.beyondsoftmax.ops.testing.RandomValues;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;

/**
 * Finite differences in float64 against tf.gradients for the cache ops and losses: in lambda,
 * theta, the queries, the keys, the head's log-probabilities (with -inf entries), the logits and
 * the similarities; caches with invalid memories, repeated words and a query without memories.
 */
class CacheGradientCheckTest {
  private static final double EPS = 1e-6;
  private static final double ATOL = 1e-6;
  private static final double RTOL = 1e-5;
  private static final int V = 6;

  /** sum(dy * y) with Gaussian dy, 0 where y is infinite. */
  private static Operand<TFloat64> objective(TestGraph g, Operand<TFloat64> y, Random r) {
    double[] values = g.run(y);
    double[] dy = new double[values.length];
    for (int i = 0; i < dy.length; i++) {
      dy[i] = Double.isInfinite(values[i]) ? 0 : r.nextGaussian();
    }
    return g.objective(y, g.input(dy, y.shape().asArray()));
  }

  private static double[] sparseHead(Random r, int rows) {
    double[] head = CacheReference.logSoftmaxRows(r, rows, V);
    head[1] = Double.NEGATIVE_INFINITY;
    head[V + 3] = Double.NEGATIVE_INFINITY;
    return head;
  }

  @ParameterizedTest(name = "queries of rank {0}")
  @ValueSource(ints = {2, 3})
  void logProbabilities(int rank) {
    checkMixture(rank, false);
  }

  @ParameterizedTest(name = "queries of rank {0}")
  @ValueSource(ints = {2, 3})
  void logProbabilitiesOfTargets(int rank) {
    checkMixture(rank, true);
  }

  /**
   * The gradients of the mixture over the vocabulary, or of the targets only (half of them held
   * by a memory, one with p_head = 0 where the cache alone counts).
   */
  private static void checkMixture(int rank, boolean perTarget) {
    Random r = new Random(50 + rank + (perTarget ? 10 : 0));
    int t = rank == 3 ? 3 : 1;
    CacheReference c = NeuralCacheTest.sample(r, 3, t, 5, 4, V);
    long[] rows = rank == 3 ? new long[] {c.n, t} : new long[] {c.n};
    int[] targets = new int[c.n * t];
    double[] head = perTarget ? new double[c.n * t] : sparseHead(r, c.n * t);
    for (int i = 0; perTarget && i < targets.length; i++) {
      targets[i] = i % 2 == 0 ? c.words[(i / t) * c.l + i % c.l] : r.nextInt(V);
      head[i] = i == 2 ? Double.NEGATIVE_INFINITY : Math.log(0.05 + 0.1 * r.nextDouble());
    }
    try (TestGraph g = new TestGraph()) {
      Inputs in = NeuralCacheTest.inputs(g, c, rank == 3);
      long[] perWord = rank == 3 ? new long[] {c.n, t, V} : new long[] {c.n, V};
      Operand<TFloat64> h = g.input(head, perTarget ? rows : perWord);
      Operand<TFloat64> lambda = g.input(new double[] {0.35});
      Operand<TFloat64> theta = g.input(new double[] {0.8});
      Operand<TFloat64> y = perTarget
          ? NeuralCache.logProbabilitiesOfTargets(g.tf, h, in.queries(), in.keys(), in.words(),
              in.valid(), g.labels(targets, rows), lambda, theta)
          : NeuralCache.logProbabilities(
              g.tf, h, in.queries(), in.keys(), in.words(), in.valid(), lambda, theta);
      g.assertGradients(objective(g, y, r), List.of(lambda, theta, in.queries(), in.keys(), h),
          List.of("dlambda", "dtheta", "dqueries", "dkeys", "dhead"), EPS, ATOL, RTOL);
    }
  }

  /** Variables (reference outputs) as inputs, each feeding several ops: gradients still build. */
  @Test
  void variablesAsInputs() {
    Random r = new Random(67);
    CacheReference c = NeuralCacheTest.sample(r, 2, 3, 4, 3, V);
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> q = g.variable(c.queries, c.n, c.t, c.d);
      Operand<TFloat64> k = g.variable(c.keys, c.n, c.l, c.d);
      Operand<TFloat64> h = g.variable(sparseHead(r, c.n * c.t), c.n, c.t, V);
      Operand<TFloat64> lambda = g.variable(new double[] {0.4});
      Operand<TFloat64> theta = g.variable(new double[] {0.6});
      Inputs in = NeuralCacheTest.inputs(g, c, true);
      Operand<TFloat64> y = NeuralCache.logProbabilities(
          g.tf, h, q, k, in.words(), in.valid(), lambda, theta);
      g.assertGradients(objective(g, y, r), List.of(lambda, theta, q, k, h),
          List.of("dlambda", "dtheta", "dqueries", "dkeys", "dhead"), EPS, ATOL, RTOL);
    }
  }

  @Test
  void logCacheAndItsTargets() {
    Random r = new Random(71);
    CacheReference c = NeuralCacheTest.sample(r, 3, 2, 5, 3, V);
    int[] targets = {c.words[0], 2, 4, c.words[c.l + 2], 0, c.words[2 * c.l]};
    try (TestGraph g = new TestGraph()) {
      Inputs in = NeuralCacheTest.inputs(g, c, true);
      Operand<TFloat64> theta = g.input(new double[] {1.1});
      Operand<TFloat64> full = NeuralCache.logCache(
          g.tf, in.queries(), in.keys(), in.words(), in.valid(), theta, V);
      Operand<TFloat64> perTarget = NeuralCache.logCacheOfTargets(g.tf, in.queries(), in.keys(),
          in.words(), in.valid(), g.labels(targets, c.n, c.t), theta);
      List<Operand<TFloat64>> xs = List.of(theta, in.queries(), in.keys());
      List<String> names = List.of("dtheta", "dqueries", "dkeys");
      g.assertGradients(objective(g, full, r), xs, names, EPS, ATOL, RTOL);
      g.assertGradients(objective(g, perTarget, r), xs, names, EPS, ATOL, RTOL);
    }
  }

  @Test
  void logMixture() {
    Random r = new Random(73);
    double[] head = sparseHead(r, 4);
    double[] cache = CacheReference.logSoftmaxRows(r, 4, V);
    cache[0] = Double.NEGATIVE_INFINITY;
    cache[1] = Double.NEGATIVE_INFINITY; // head and cache both 0 there: log p = -inf
    for (int w = 0; w < V; w++) {
      cache[2 * V + w] = Double.NEGATIVE_INFINITY; // a row without cache: the head
    }
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> h = g.input(head, 4, V);
      Operand<TFloat64> c = g.input(cache, 4, V);
      Operand<TFloat64> lambda = g.input(new double[] {0.2});
      Operand<TFloat64> y = NeuralCache.logMixture(g.tf, h, c, lambda);
      g.assertGradients(objective(g, y, r), List.of(lambda, h, c),
          List.of("dlambda", "dhead", "dcache"), EPS, ATOL, RTOL);
    }
  }

  /**
   * At lambda = 0 and 1 (where finite differences would leave [0, 1]) the gradient in lambda is
   * the closed form sum dy (p_cache - p_head) / p over the finite outputs.
   */
  @Test
  void lambdaGradientAtTheEnds() {
    Random r = new Random(79);
    double[] head = sparseHead(r, 3);
    double[] cache = CacheReference.logSoftmaxRows(r, 3, V);
    cache[4] = Double.NEGATIVE_INFINITY;
    for (double lambda : new double[] {0, 1}) {
      try (TestGraph g = new TestGraph()) {
        Operand<TFloat64> l = g.input(new double[] {lambda});
        Operand<TFloat64> y =
            NeuralCache.logMixture(g.tf, g.input(head, 3, V), g.input(cache, 3, V), l);
        double[] p = g.run(y);
        double[] dy = new double[p.length];
        double expected = 0;
        for (int i = 0; i < p.length; i++) {
          if (Double.isFinite(p[i])) {
            dy[i] = r.nextGaussian();
            expected += dy[i] * (Math.exp(cache[i]) - Math.exp(head[i])) / Math.exp(p[i]);
          }
        }
        double[] got = g.run(g.grads(g.objective(y, g.input(dy, 3, V)), List.of(l)).get(0));
        assertClose("dlambda at " + lambda, new double[] {expected}, got, 1e-12, 1e-12);
      }
    }
  }

  @Test
  void similarities() {
    Random r = new Random(83);
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> q = g.input(RandomValues.gaussian(r, 2 * 3 * 4, 1), 2, 3, 4);
      Operand<TFloat64> k = g.input(RandomValues.gaussian(r, 2 * 5 * 4, 1), 2, 5, 4);
      Operand<TFloat64> s = NeuralCache.similarities(g.tf, q, k);
      g.assertGradients(objective(g, s, r), List.of(q, k), List.of("dqueries", "dkeys"), EPS,
          ATOL, RTOL);
    }
  }

  @Test
  void trimeLoss() {
    Random r = new Random(89);
    int n = 4;
    int l = 5;
    CacheLossInputs in = CacheLossInputs.random(r, n, V, l, 1.5, 0.7, V);
    double[] logits = in.logits();
    logits[3] = Double.NEGATIVE_INFINITY; // a masked logit
    logits[V + 2] = Double.NEGATIVE_INFINITY; // the target of query 1: memories only
    double[] sims = in.sims();
    boolean[] valid = in.valid();
    int[] words = in.words();
    Arrays.fill(valid, 3 * l, 4 * l, false); // query 3: no memories (cross-entropy)
    int[] targets = {words[0], 2, words[2 * l + 1], 5};
    valid[0] = true;
    valid[l + 1] = true;
    words[l + 1] = 2;
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> z = g.input(logits, n, V);
      Operand<TFloat64> s = g.input(sims, n, l);
      Operand<TFloat64> loss = CacheLosses.trimeLoss(g.tf, z, s,
          NeuralCacheTest.bools(g, valid, n, l), g.labels(words, n, l), g.labels(targets, n));
      g.assertGradients(objective(g, loss, r), List.of(z, s), List.of("dlogits", "dsimilarities"),
          EPS, ATOL, RTOL);
    }
  }

  @Test
  void histAlignLoss() {
    Random r = new Random(97);
    int n = 5;
    int l = 7;
    double[] sims = RandomValues.gaussian(r, n * l, 0.01); // within a few margins: hinges active
    double[] order = RandomValues.gaussian(r, n * l, 1);
    boolean[] valid = new boolean[n * l];
    int[] words = new int[n * l];
    CacheLossInputs.memories(r, valid, words, 0.8, 3);
    int[] targets = {0, 1, 2, 1, 0};
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> s = g.input(sims, n, l);
      Operand<TFloat64> loss = CacheLosses.histAlignLoss(g.tf, s,
          NeuralCacheTest.bools(g, valid, n, l), g.labels(words, n, l), g.labels(targets, n),
          g.input(order, n, l), 0.004);
      double[] grad = g.assertGradients(loss, List.of(s), List.of("dsimilarities"), EPS, ATOL,
          RTOL).get(0);
      double norm = 0;
      for (double x : grad) {
        norm += Math.abs(x);
      }
      assertTrue(norm > 0, "some hinge is active");
    }
  }
}
