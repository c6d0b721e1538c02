package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * Each bad argument of a cache op or loss is an IllegalArgumentException at graph-build time whose
 * message starts with the parameter's name and states the allowed range or shape.
 */
class CacheBadInputTest {

  private static void rejects(String parameter, String mentions, Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertTrue(e.getMessage().startsWith(parameter + " "),
        "message should start with the parameter name '" + parameter + "': " + e.getMessage());
    assertTrue(e.getMessage().contains(mentions),
        "message should mention '" + mentions + "': " + e.getMessage());
  }

  /** A valid cache: N = 2 queries of d = 3, L = 4 memories, V = 5. */
  private static final class Cache {
    final TestGraph g;
    final Ops tf;
    final Operand<TFloat64> queries;
    final Operand<TFloat64> keys;
    final Operand<TInt32> words;
    final Operand<TBool> valid;
    final Operand<TFloat64> head;

    Cache(TestGraph g) {
      this.g = g;
      tf = g.tf;
      queries = g.input(new double[6], 2, 3);
      keys = g.input(new double[24], 2, 4, 3);
      words = g.labels(new int[8], 2, 4);
      valid = NeuralCacheTest.bools(g, new boolean[8], 2, 4);
      head = g.input(new double[10], 2, 5);
    }
  }

  @Test
  void memories() {
    try (TestGraph g = new TestGraph()) {
      Cache c = new Cache(g);
      rejects("keys", "L >= 1", () -> NeuralCache.logCache(c.tf, c.queries,
          g.input(new double[0], 2, 0, 3), g.labels(new int[0], 2, 0),
          NeuralCacheTest.bools(g, new boolean[0], 2, 0), 0.5, 5));
      rejects("queries", "rank 2", () -> NeuralCache.logCache(c.tf, g.input(new double[3], 3),
          c.keys, c.words, c.valid, 0.5, 5));
      rejects("keys", "[N, L, d]", () -> NeuralCache.logCache(c.tf, c.queries,
          g.input(new double[16], 2, 4, 2), c.words, c.valid, 0.5, 5));
      rejects("keys", "[N, L, d]", () -> NeuralCache.logCache(c.tf, c.queries,
          g.input(new double[36], 3, 4, 3), c.words, c.valid, 0.5, 5));
      rejects("keys", "dtype", () -> NeuralCache.similarities(c.tf, c.queries,
          (Operand<TFloat64>) (Operand<?>) c.tf.dtypes.cast(c.keys, TFloat32.class)));
      rejects("memoryWords", "integer", () -> NeuralCache.logCache(c.tf, c.queries, c.keys,
          g.input(new double[8], 2, 4), c.valid, 0.5, 5));
      rejects("memoryWords", "[N, L]", () -> NeuralCache.logCache(c.tf, c.queries, c.keys,
          g.labels(new int[6], 2, 3), c.valid, 0.5, 5));
      rejects("valid", "bool", () -> NeuralCache.logCache(c.tf, c.queries, c.keys, c.words,
          (Operand<TBool>) (Operand<?>) g.labels(new int[8], 2, 4), 0.5, 5));
      rejects("valid", "[N, T, L]", () -> NeuralCache.logCache(c.tf,
          g.input(new double[12], 2, 2, 3), c.keys, c.words, c.valid, 0.5, 5));
      rejects("vocabularySize", ">= 1", () -> NeuralCache.logCache(c.tf, c.queries, c.keys,
          c.words, c.valid, 0.5, 0));
    }
  }

  @Test
  void thetaAndLambda() {
    try (TestGraph g = new TestGraph()) {
      Cache c = new Cache(g);
      for (double theta : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
        rejects("theta", "> 0", () -> NeuralCache.logProbabilities(c.tf, c.head, c.queries,
            c.keys, c.words, c.valid, 0.1, theta));
      }
      for (double lambda : new double[] {-0.1, 1.1, Double.NaN}) {
        rejects("lambda", "[0, 1]", () -> NeuralCache.logProbabilities(c.tf, c.head, c.queries,
            c.keys, c.words, c.valid, lambda, 0.3));
        rejects("lambda", "[0, 1]", () -> NeuralCache.logMixture(c.tf, c.head, c.head, lambda));
      }
      rejects("lambda", "scalar", () -> NeuralCache.logProbabilities(c.tf, c.head, c.queries,
          c.keys, c.words, c.valid, g.input(new double[2], 2), g.input(new double[] {1})));
      rejects("theta", "dtype", () -> NeuralCache.logCache(c.tf, c.queries, c.keys, c.words,
          c.valid, (Operand<TFloat64>) (Operand<?>) c.tf.constant(1f), 5));
    }
  }

  @Test
  void headsAndTargets() {
    try (TestGraph g = new TestGraph()) {
      Cache c = new Cache(g);
      rejects("logPHead", "[N, V]", () -> NeuralCache.logProbabilities(c.tf,
          g.input(new double[15], 3, 5), c.queries, c.keys, c.words, c.valid, 0.1, 0.3));
      rejects("logPHead", "V >= 1", () -> NeuralCache.logProbabilities(c.tf,
          g.input(new double[0], 2, 0), c.queries, c.keys, c.words, c.valid, 0.1, 0.3));
      rejects("logPHeadOfTargets", "[N]", () -> NeuralCache.logProbabilitiesOfTargets(c.tf,
          c.head, c.queries, c.keys, c.words, c.valid, g.labels(new int[2], 2), 0.1, 0.3));
      rejects("targets", "integer", () -> NeuralCache.logCacheOfTargets(c.tf, c.queries, c.keys,
          c.words, c.valid, g.input(new double[2], 2), 0.3));
      rejects("targets", "[N]", () -> NeuralCache.logCacheOfTargets(c.tf, c.queries, c.keys,
          c.words, c.valid, g.labels(new int[3], 3), 0.3));
      rejects("logPCache", "of logPHead", () -> NeuralCache.logMixture(c.tf, c.head,
          g.input(new double[12], 2, 6), 0.5));
      rejects("logPHead", "rank >= 1", () -> NeuralCache.logMixture(c.tf, g.tf.constant(0.0),
          g.tf.constant(0.0), 0.5));
    }
  }

  @Test
  void positions() {
    try (TestGraph g = new TestGraph()) {
      rejects("queryPositions", "rank 1", () -> NeuralCache.causalMask(g.tf,
          g.labels(new int[8], 2, 2, 2), g.labels(new int[8], 2, 4)));
      rejects("memoryPositions", "integer", () -> NeuralCache.causalMask(g.tf,
          g.labels(new int[2], 2), g.input(new double[8], 2, 4)));
      rejects("memoryPositions", "[N, L]", () -> NeuralCache.causalMask(g.tf,
          g.labels(new int[2], 2), g.labels(new int[12], 3, 4)));
    }
  }

  @Test
  void losses() {
    try (TestGraph g = new TestGraph()) {
      Cache c = new Cache(g);
      Operand<TFloat64> sims = g.input(new double[8], 2, 4);
      Operand<TInt32> y = g.labels(new int[2], 2);
      rejects("logits", "[N, V]", () -> CacheLosses.trimeLoss(c.tf, g.input(new double[10], 10),
          sims, c.valid, c.words, y));
      rejects("similarities", "L >= 1", () -> CacheLosses.trimeLoss(c.tf, c.head,
          g.input(new double[0], 2, 0), NeuralCacheTest.bools(g, new boolean[0], 2, 0),
          g.labels(new int[0], 2, 0), y));
      rejects("similarities", "[N, L]", () -> CacheLosses.trimeLoss(c.tf, c.head,
          g.input(new double[12], 3, 4), c.valid, c.words, y));
      rejects("valid", "[N, L]", () -> CacheLosses.trimeLoss(c.tf, c.head, sims,
          NeuralCacheTest.bools(g, new boolean[6], 2, 3), c.words, y));
      rejects("targets", "[N]", () -> CacheLosses.trimeLoss(c.tf, c.head, sims, c.valid, c.words,
          g.labels(new int[4], 2, 2)));
      rejects("margin", ">= 0", () -> CacheLosses.histAlignLoss(c.tf, sims, c.valid, c.words, y,
          sims, -0.001));
      rejects("margin", "finite", () -> CacheLosses.histAlignLoss(c.tf, sims, c.valid, c.words,
          y, sims, Double.NaN));
      rejects("order", "[N, L]", () -> CacheLosses.histAlignLoss(c.tf, sims, c.valid, c.words, y,
          g.input(new double[4], 2, 2), 0.001));
      rejects("embeddings", "[V, e]", () -> CacheLosses.embeddingCosines(c.tf,
          g.input(new double[5], 5), y, c.words));
    }
  }
}
