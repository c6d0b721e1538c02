package org.beyondsoftmax.models.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.heads.OutputHead;
import org.beyondsoftmax.models.testing.Harness;
import org.beyondsoftmax.ops.CacheLosses;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * One window of a cache head against plain-Java formulas on a small batch: which memories each
 * query may use (carried slots, the window's earlier positions, padding left out, only the last L),
 * the words they hold, the memory carried out, the mixture, TRIME's loss for dense and sparse
 * heads, and the gradients of every training loss by finite differences (float64).
 */
class CacheWindowTest {
  static final int B = 2;
  static final int T = 4;
  static final int L = 3;
  static final int H = 3;
  static final int V = 6;
  static final double THETA = 0.7;
  static final double LAMBDA = 0.3;
  static final int[] IDS = {1, 2, 3, 2, 4, 5, 4, 0};
  static final int[] TARGETS = {2, 3, 2, 5, 5, 4, 0, 1};
  /** Row 1 has a padded position in the middle (left padding and end padding alike). */
  static final double[] WEIGHTS = {1, 1, 1, 1, 1, 0, 1, 1};
  /** Row 0: the oldest slot is empty; row 1: all filled. */
  static final double[] CARRIED_WORDS = {-1, 3, 2, 0, 5, 4};
  static final double[] CARRIED_KEYS = Harness.random(7, B * L * H, 0.9);
  /** Time-major rows [T B, H]: row t B + b. */
  static final double[] HIDDEN = Harness.random(8, T * B * H, 0.9);

  /** The graph of one window and its Java mirror. */
  static final class Fixture implements AutoCloseable {
    final Harness g = new Harness();
    final OutputHead<TFloat64> head;
    final Operand<TFloat64> hidden = g.variable(HIDDEN, T * B, H);
    final Operand<TInt32> ids = g.labels(IDS, B, T);
    final Operand<TInt32> targets = g.labels(TARGETS, B, T);
    final Operand<TFloat64> weights = g.input(WEIGHTS, B, T);
    final Operand<TFloat64> theta = g.tf.constant(THETA);
    final CacheHead<TFloat64> cache;
    final CacheWindow<TFloat64> window;
    /** The hidden states as batch-major rows [B T, H]. */
    final Operand<TFloat64> rows;

    Fixture(String head, CacheTraining training) {
      this.head = Heads.create(head, g.config(H, V, 5));
      this.cache = new CacheHead<>(this.head, CacheSettings.untrained(L).withMixture(LAMBDA, THETA)
          .withTraining(training, CacheLosses.HISTALIGN_WEIGHT, 0.05), H);
      CacheMemory<TFloat64> carried =
          new CacheMemory<>(g.input(CARRIED_KEYS, B, L, H), g.input(CARRIED_WORDS, B, L));
      this.window = cache.window(g.tf, hidden, T, ids, targets, weights, carried);
      this.rows = g.tf.reshape(g.tf.linalg.transpose(g.tf.reshape(hidden, g.tf.constant(new long[] {T, B, H})),
          g.tf.constant(new int[] {1, 0, 2})), g.tf.constant(new long[] {B * T, H}));
    }

    @Override
    public void close() {
      g.close();
    }
  }

  /** A memory of the bank in Java: its key, the word queries see, the word carried out, presence. */
  record Memory(double[] key, int word, int wordOut, boolean present) {}

  static double[] query(int b, int t) {
    double[] q = new double[H];
    System.arraycopy(HIDDEN, (t * B + b) * H, q, 0, H);
    return q;
  }

  /** The bank of row b: L carried memories, then the window's T positions. */
  static List<Memory> bank(int b) {
    List<Memory> m = new ArrayList<>();
    for (int k = 0; k < L; k++) {
      double[] key = new double[H];
      System.arraycopy(CARRIED_KEYS, (b * L + k) * H, key, 0, H);
      int w = (int) CARRIED_WORDS[b * L + k];
      m.add(new Memory(key, w, w, w >= 0));
    }
    for (int i = 0; i < T; i++) {
      int next = i + 1 < T ? IDS[b * T + i + 1] : -1;
      m.add(new Memory(query(b, i), next, TARGETS[b * T + i], WEIGHTS[b * T + i] > 0));
    }
    return m;
  }

  /** The memories query t of row b may use: present, before it, the last L such. */
  static List<Memory> usable(int b, int t) {
    List<Memory> before = bank(b).subList(0, L + t).stream().filter(Memory::present).toList();
    return before.subList(Math.max(0, before.size() - L), before.size());
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** log sum exp(theta q.m) over the memories of {@code m} holding {@code word} (all if word < 0). */
  static double logSum(double[] q, List<Memory> m, int word) {
    double max = Double.NEGATIVE_INFINITY;
    for (Memory x : m) {
      if (word < 0 || x.word() == word) {
        max = Math.max(max, THETA * dot(q, x.key()));
      }
    }
    if (max == Double.NEGATIVE_INFINITY) {
      return max;
    }
    double s = 0;
    for (Memory x : m) {
      if (word < 0 || x.word() == word) {
        s += Math.exp(THETA * dot(q, x.key()) - max);
      }
    }
    return max + Math.log(s);
  }

  @Test
  void theMixtureUsesTheLastLMemoriesBeforeEachQuery() {
    try (Fixture f = new Fixture("softmax", CacheTraining.NONE)) {
      Operand<TFloat64> headLogp = f.head.logProbabilities(f.rows); // [B T, V]
      Operand<TInt32> y = f.g.tf.reshape(f.targets, f.g.tf.constant(new long[] {-1, 1}));
      Operand<TFloat64> headOfTargets = f.g.tf.reshape(f.g.tf.gatherNd(headLogp, f.g.tf.concat(List.of(
          f.g.tf.expandDims(f.g.tf.range(f.g.tf.constant(0), f.g.tf.constant(B * T), f.g.tf.constant(1)),
              f.g.tf.constant(-1)), y), f.g.tf.constant(1))), f.g.tf.constant(new long[] {B, T}));
      List<double[]> out = f.g.run(List.of(headOfTargets,
          f.window.logProbabilitiesOfTargets(headOfTargets, f.targets, f.g.tf.constant(LAMBDA), f.theta),
          f.window.cacheOfTargets(headOfTargets, f.targets, f.theta),
          f.window.targetMemoryRank(f.targets)));
      double[] head = out.get(0);
      double[] expected = new double[B * T];
      double[] expectedCache = new double[B * T];
      double[] expectedRank = new double[B * T];
      for (int b = 0; b < B; b++) {
        for (int t = 0; t < T; t++) {
          int n = b * T + t;
          List<Memory> m = usable(b, t);
          double[] q = query(b, t);
          int target = TARGETS[n];
          double logCache = m.isEmpty() ? head[n] : logSum(q, m, target) - logSum(q, m, -1);
          expectedCache[n] = logCache;
          expected[n] = m.isEmpty() ? head[n]
              : Math.log((1 - LAMBDA) * Math.exp(head[n]) + LAMBDA * Math.exp(logCache));
          double best = m.stream().filter(x -> x.word() == target).mapToDouble(x -> dot(q, x.key()))
              .max().orElse(Double.NaN);
          expectedRank[n] = Double.isNaN(best) ? 0 : 1 + m.stream().filter(x -> dot(q, x.key()) > best).count();
        }
      }
      Harness.assertClose("mixture", expected, out.get(1), 1e-12, 1e-12);
      Harness.assertClose("cache alone", expectedCache, out.get(2), 1e-12, 1e-12);
      Harness.assertClose("rank of the target's memory", expectedRank, out.get(3), 0, 0);
      assertTrue(usable(0, 0).size() == 2 && usable(1, 3).size() == L && usable(0, 3).size() == L,
          "the fixture exercises empty slots and the limit of L");
    }
  }

  @Test
  void theMemoryCarriedOutIsTheLastLPresentPairs() {
    try (Fixture f = new Fixture("softmax", CacheTraining.NONE)) {
      List<double[]> out = f.g.run(List.of(f.window.next().keys(), f.window.next().words()));
      double[] keys = new double[B * L * H];
      double[] words = new double[B * L];
      for (int b = 0; b < B; b++) {
        List<Memory> present = bank(b).stream().filter(Memory::present).toList();
        List<Memory> last = present.subList(Math.max(0, present.size() - L), present.size());
        for (int j = 0; j < L; j++) {
          int k = j - (L - last.size());
          words[b * L + j] = k < 0 ? CacheMemory.EMPTY : last.get(k).wordOut();
          if (k >= 0) {
            System.arraycopy(last.get(k).key(), 0, keys, (b * L + j) * H, H);
          }
        }
      }
      Harness.assertClose("words", words, out.get(1), 0, 0);
      Harness.assertClose("keys", keys, out.get(0), 0, 0);
    }
  }

  @Test
  void aShortHistoryLeavesEmptySlots() {
    try (Harness g = new Harness()) {
      OutputHead<TFloat64> head = Heads.create("softmax", g.config(H, V, 5));
      CacheHead<TFloat64> cache = new CacheHead<>(head, CacheSettings.untrained(6), H);
      CacheMemory<TFloat64> empty = cache.emptyMemory(g.tf, g.tf.constant(1), TFloat64.class);
      CacheWindow<TFloat64> w = cache.window(g.tf, g.input(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, 2, H), 2,
          g.labels(new int[] {3, 4}, 1, 2), g.labels(new int[] {4, 1}, 1, 2), g.input(new double[] {1, 1}, 1, 2),
          empty);
      assertEquals(List.of(-1.0, -1.0, -1.0, -1.0, 4.0, 1.0),
          java.util.Arrays.stream(g.run(w.next().words())).boxed().toList());
      double[] keys = g.run(w.next().keys());
      assertEquals(0.0, keys[3 * H + 2]);
      assertEquals(0.6, keys[5 * H + 2]);
    }
  }

  /** A position's loss in Java. */
  interface Loss {
    double at(int b, int t);
  }

  /** The mean of {@code loss} over the positions of weight 1. */
  static double meanOverCounted(Loss loss) {
    double sum = 0;
    int count = 0;
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < T; t++) {
        if (WEIGHTS[b * T + t] > 0) {
          sum += loss.at(b, t);
          count++;
        }
      }
    }
    return sum / count;
  }

  /**
   * TRIME's joint log-probability of word w at (b, t) in Java: log((e^z_w + sum_{usable, w_i = w}
   * e^s_i) / (sum_v e^z_v + sum_usable e^s_i)), z [B T, V] the logits.
   */
  static double joint(double[] z, int b, int t, int w) {
    int n = b * T + t;
    double all = 0;
    for (int v = 0; v < V; v++) {
      all += Math.exp(z[n * V + v]);
    }
    double right = Math.exp(z[n * V + w]);
    List<Memory> m = usable(b, t);
    double[] q = query(b, t);
    all += m.isEmpty() ? 0 : Math.exp(logSum(q, m, -1));
    double held = logSum(q, m, w);
    right += Double.isInfinite(held) ? 0 : Math.exp(held);
    return Math.log(right / all);
  }

  /** A cache trained with TRIME gives TRIME's joint softmax at inference, per target and over V. */
  @Test
  void aTrainedCacheIsTrimesJointSoftmaxAtInference() {
    try (Fixture f = new Fixture("softmax", CacheTraining.TRIME)) {
      assertTrue(f.cache.joint());
      Operand<TFloat64> unusedLambda = f.g.tf.constant(0.5);
      List<double[]> out = f.g.run(List.of(f.head.logits(f.rows),
          f.window.logProbabilitiesOfTargets(f.g.constant(new double[B * T], B, T), f.targets, unusedLambda, f.theta),
          f.window.logProbabilities(f.g.constant(new double[B * T * V], B, T, V), unusedLambda, f.theta),
          f.window.nextLogProbabilities(f.g.constant(new double[B * V], B, V), unusedLambda, f.theta)));
      double[] z = out.get(0);
      double[] targets = new double[B * T];
      double[] all = new double[B * T * V];
      double[] next = new double[B * V];
      for (int b = 0; b < B; b++) {
        for (int t = 0; t < T; t++) {
          targets[b * T + t] = joint(z, b, t, TARGETS[b * T + t]);
          for (int w = 0; w < V; w++) {
            all[(b * T + t) * V + w] = joint(z, b, t, w);
            if (t == T - 1) {
              next[b * V + w] = joint(z, b, t, w);
            }
          }
        }
      }
      Harness.assertClose("joint of the targets", targets, out.get(1), 1e-12, 1e-12);
      Harness.assertClose("joint over the vocabulary", all, out.get(2), 1e-12, 1e-12);
      Harness.assertClose("joint of the next word", next, out.get(3), 1e-12, 1e-12);
    }
  }

  /** TRIME's loss in Java: -log((e^z_y + sum_{usable, w = y} e^s) / (sum_v e^z_v + sum_usable e^s)). */
  @Test
  void trimeLossIsTheJointSoftmaxOverLogitsAndUsableMemories() {
    try (Fixture f = new Fixture("softmax", CacheTraining.TRIME)) {
      List<double[]> out = f.g.run(List.of(f.head.logits(f.rows),
          f.window.trainingLoss(f.targets, f.weights, f.theta, null)));
      double[] z = out.get(0);
      double mean = meanOverCounted((b, t) -> -joint(z, b, t, TARGETS[b * T + t]));
      Harness.assertClose("TRIME loss", new double[] {mean}, out.get(1), 1e-12, 1e-12);
    }
  }

  /** A sparse head: its own loss plus -log p_cache(y) where a usable memory holds y. */
  @Test
  void aSparseHeadTrainsWithItsLossAndTheCachesCrossEntropy() {
    try (Fixture f = new Fixture("entmax", CacheTraining.TRIME)) {
      Operand<TInt32> y = f.g.tf.reshape(f.targets, f.g.tf.constant(new long[] {-1}));
      List<double[]> out = f.g.run(List.of(f.head.loss(f.rows, y),
          f.window.trainingLoss(f.targets, f.weights, f.theta, null)));
      double mean = meanOverCounted((b, t) -> {
        List<Memory> m = usable(b, t);
        double held = logSum(query(b, t), m, TARGETS[b * T + t]);
        return out.get(0)[b * T + t] + (Double.isInfinite(held) ? 0 : logSum(query(b, t), m, -1) - held);
      });
      Harness.assertClose("loss", new double[] {mean}, out.get(1), 1e-12, 1e-12);
      assertThrows(UnsupportedOperationException.class, () -> f.head.logits(f.rows), "no logits");
    }
  }

  @Test
  void everyTrainingLossHasTheGradientOfFiniteDifferences() {
    for (String head : List.of("softmax", "entmax")) {
      for (CacheTraining training : List.of(CacheTraining.TRIME, CacheTraining.HISTALIGN)) {
        try (Fixture f = new Fixture(head, training)) {
          Operand<TFloat64> embedding = f.g.input(Harness.random(9, V * 4, 1.0), V, 4);
          Operand<TFloat64> loss = f.window.trainingLoss(f.targets, f.weights, f.theta, embedding);
          List<double[]> grads = f.g.assertGradients(loss, List.of(f.hidden), List.of(head + " " + training),
              1e-6, 1e-7, 1e-5);
          assertTrue(java.util.Arrays.stream(grads.get(0)).anyMatch(x -> x != 0), "the loss depends on h");
        }
      }
    }
  }

  @Test
  void badSettingsNameTheParameterAndItsRange() {
    assertEquals("cache size L must be >= 1, got 0",
        assertThrows(IllegalArgumentException.class, () -> CacheSettings.untrained(0)).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> CacheSettings.untrained(5).withMixture(1.5, 0.3)).getMessage().contains("lambda must be in [0, 1]"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> CacheSettings.untrained(5).withMixture(0.1, 0)).getMessage().contains("theta must be finite and > 0"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> CacheTraining.parse("knn")).getMessage().contains("[none, trime, histalign]"));
  }
}
