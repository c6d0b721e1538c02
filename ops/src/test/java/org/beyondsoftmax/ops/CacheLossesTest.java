package org.beyondsoftmax.ops;

import static org.beyondsoftmax.ops.testing.TestGraph.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.beyondsoftmax.ops.testing.RandomValues;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/** TRIME's and HistAlign's losses against plain-Java loops and hand-computed cases. */
class CacheLossesTest {
  private static final double NEG = Double.NEGATIVE_INFINITY;

  @Test
  void trimeMatchesReference() {
    Random r = new Random(101);
    int n = 6;
    int v = 5;
    int l = 4;
    CacheLossInputs in = CacheLossInputs.random(r, n, v, l, 1.5, 0.6, v);
    double[] logits = in.logits();
    double[] sims = in.sims();
    boolean[] valid = in.valid();
    int[] words = in.words();
    int[] y = {words[0], 1, 2, 3, 4, 0};
    valid[0] = true;
    logits[2] = NEG; // a masked logit
    // query 1: its target masked in the vocabulary, held by a valid memory
    logits[v + 1] = NEG;
    valid[l] = true;
    words[l] = 1;
    // query 4: all logits -inf, memories only
    for (int j = 0; j < v; j++) {
      logits[4 * v + j] = NEG;
    }
    valid[4 * l + 2] = true;
    // query 5: no valid memory: cross-entropy
    for (int i = 0; i < l; i++) {
      valid[5 * l + i] = false;
    }
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> z = g.input(logits, n, v);
      Operand<TFloat64> loss = CacheLosses.trimeLoss(g.tf, z, g.input(sims, n, l),
          NeuralCacheTest.bools(g, valid, n, l), g.labels(words, n, l), g.labels(y, n));
      Operand<TFloat64> ce = Losses.crossEntropy(g.tf, z, g.labels(y, n),
          LossOptions.defaults().withReduction(Reduction.NONE));
      List<double[]> out = g.run(List.of(loss, ce));
      assertClose("trime", CacheReference.trime(logits, v, sims, valid, words, y, l), out.get(0),
          1e-12, 1e-12);
      assertEquals(out.get(1)[5], out.get(0)[5], 1e-12, "no memories: cross-entropy");
    }
  }

  @Test
  void trimeEmptyAndImpossibleRows() {
    try (TestGraph g = new TestGraph()) {
      // row 0: all -inf, no memory: no distribution, loss 0; row 1: target -inf, no memory holds
      // it: +inf
      Operand<TFloat64> loss = CacheLosses.trimeLoss(g.tf,
          g.input(new double[] {NEG, NEG, 0.5, NEG}, 2, 2), g.input(new double[] {1, 2}, 2, 1),
          NeuralCacheTest.bools(g, new boolean[] {false, true}, 2, 1),
          g.labels(new int[] {0, 0}, 2, 1), g.labels(new int[] {1, 1}, 2));
      assertClose("loss", new double[] {0, Double.POSITIVE_INFINITY}, g.run(loss), 0, 0);
    }
  }

  @ParameterizedTest(name = "margin {0}")
  @ValueSource(doubles = {0.001, 0.05, 0})
  void histAlignMatchesReference(double margin) {
    Random r = new Random(103);
    int n = 7;
    int l = 9;
    double[] sims = RandomValues.gaussian(r, n * l, 0.05);
    double[] order = new double[n * l];
    boolean[] valid = new boolean[n * l];
    int[] words = new int[n * l];
    int[] y = new int[n];
    for (int a = 0; a < n; a++) {
      y[a] = r.nextInt(4);
      for (int i = 0; i < l; i++) {
        int at = a * l + i;
        valid[at] = r.nextDouble() < 0.75;
        words[at] = r.nextInt(4);
        // ties in the order: HistAlign's cosines are 1 for every positive and equal for equal words
        order[at] = words[at] == y[a] ? 1 : 0.1 * words[at];
      }
    }
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> loss = CacheLosses.histAlignLoss(g.tf, g.input(sims, n, l),
          NeuralCacheTest.bools(g, valid, n, l), g.labels(words, n, l), g.labels(y, n),
          g.input(order, n, l), margin);
      double expected = CacheReference.histAlign(sims, valid, words, y, order, l, margin);
      assertTrue(expected > 0, "the case has active hinges");
      assertClose("histAlign", new double[] {expected}, g.run(loss), 1e-14, 1e-12);
    }
  }

  /**
   * One query: positive A (s = 1), negatives B (order 0.9, s = 0.5) and C (order 0.1, s = 0.999):
   * ranks A 0, B 1, C 2. Pairs (A, B) at distance 1: max(0, 0.5 - 1 + m) = 0; (A, C) at distance
   * 2: max(0, 0.999 - 1 + 2m) = 0.001 for m = 0.001. Mean over the distances {1, 2}: 0.0005. An
   * invalid memory ranked first changes nothing.
   */
  @Test
  void histAlignByHand() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> loss = CacheLosses.histAlignLoss(g.tf,
          g.input(new double[] {5, 0.5, 1, 0.999}, 1, 4),
          NeuralCacheTest.bools(g, new boolean[] {false, true, true, true}, 1, 4),
          g.labels(new int[] {7, 2, 7, 3}, 1, 4), g.labels(new int[] {7}, 1),
          g.input(new double[] {1, 0.9, 1, 0.1}, 1, 4));
      assertClose("loss", new double[] {0.0005}, g.run(loss), 1e-15, 1e-12);
    }
  }

  @Test
  void histAlignWithoutPositivesIsZero() {
    try (TestGraph g = new TestGraph()) {
      // the target (-100, an ignored label) is held by no memory; memory 1 holds it but is invalid
      Operand<TFloat64> sims = g.input(new double[] {0.3, 0.9, -0.2, 0.4}, 2, 2);
      Operand<TFloat64> loss = CacheLosses.histAlignLoss(g.tf, sims,
          NeuralCacheTest.bools(g, new boolean[] {true, false, true, true}, 2, 2),
          g.labels(new int[] {1, 3, 2, 2}, 2, 2), g.labels(new int[] {-100, 3}, 2),
          g.input(new double[4], 2, 2));
      assertClose("loss", new double[] {0}, g.run(loss), 0, 0);
      assertClose("gradient", new double[4], g.run(g.grads(loss, List.of(sims)).get(0)), 0, 0);
    }
  }

  @Test
  void embeddingCosines() {
    Random r = new Random(107);
    int v = 5;
    int e = 3;
    double[] emb = RandomValues.gaussian(r, v * e, 1);
    int[] y = {0, 4};
    int[] w = {0, 1, 4, -1, 2, 3, 4, 5}; // -1 and 5: outside [0, V)
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> cos = CacheLosses.embeddingCosines(g.tf, g.input(emb, v, e),
          g.labels(y, 2), g.labels(w, 2, 4));
      double[] expected = new double[8];
      for (int a = 0; a < 2; a++) {
        for (int i = 0; i < 4; i++) {
          int word = w[a * 4 + i];
          if (word < 0 || word >= v) {
            continue;
          }
          double dot = 0;
          double nw = 0;
          double ny = 0;
          for (int k = 0; k < e; k++) {
            dot += emb[word * e + k] * emb[y[a] * e + k];
            nw += emb[word * e + k] * emb[word * e + k];
            ny += emb[y[a] * e + k] * emb[y[a] * e + k];
          }
          expected[a * 4 + i] = dot / Math.sqrt(nw * ny);
        }
      }
      assertClose("cosines", expected, g.run(cos), 1e-14, 1e-12);
    }
  }

  @Test
  void float32AgreesWithFloat64() {
    Random r = new Random(109);
    int n = 4;
    int v = 5;
    int l = 6;
    CacheLossInputs in = CacheLossInputs.random(r, n, v, l, 0.05, 0.8, 3);
    int[] y = {0, 1, 2, 1};
    try (TestGraph g = new TestGraph()) {
      var tf = g.tf;
      Operand<TFloat64> z = g.input(in.logits(), n, v);
      Operand<TFloat64> s = g.input(in.sims(), n, l);
      Operand<TFloat64> order = g.input(RandomValues.gaussian(r, n * l, 1), n, l);
      Operand<TBool> ok = NeuralCacheTest.bools(g, in.valid(), n, l);
      var w = g.labels(in.words(), n, l);
      var t = g.labels(y, n);
      List<double[]> out = g.run(List.of(
          CacheLosses.trimeLoss(tf, z, s, ok, w, t),
          CacheLosses.trimeLoss(tf, tf.dtypes.cast(z, TFloat32.class),
              tf.dtypes.cast(s, TFloat32.class), ok, w, t),
          CacheLosses.histAlignLoss(tf, s, ok, w, t, order, 0.01),
          CacheLosses.histAlignLoss(tf, tf.dtypes.cast(s, TFloat32.class), ok, w, t,
              tf.dtypes.cast(order, TFloat32.class), 0.01)));
      assertClose("trime", out.get(0), out.get(1), 1e-5, 1e-5);
      assertClose("histAlign", out.get(2), out.get(3), 1e-6, 1e-4);
    }
  }
}
