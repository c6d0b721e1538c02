package org.beyondsoftmax.models.heads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.beyondsoftmax.models.nn.Parameter;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.models.testing.Harness;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/** Seeded initial values, deterministic Adam, tying, learning-rate multipliers, margins, alpha. */
class TrainingTest {

  /** The head's variables after {@code steps} Adam steps on a fixed problem, in float32. */
  private static double[] trainedValues(String spec, long seed, int steps) {
    try (Harness g = new Harness()) {
      OutputHead<TFloat32> head = Heads.create(spec,
          new HeadConfig<>(g.tf, TFloat32.class, 4, 50, seed));
      Operand<TFloat32> h = g.tf.dtypes.cast(g.constant(Harness.random(3, 64 * 4, 2.0), 64, 4), TFloat32.class);
      Operand<TFloat32> q = g.tf.dtypes.cast(g.constant(Harness.randomTargets(4, 64, 50), 64, 50), TFloat32.class);
      var step = Optimizer.minimize(g.tf, g.tf.reduceSum(head.targetLoss(h, q), g.tf.constant(0)),
          head.parameters(), 0.05, Optimizer.Settings.adam()).update();
      for (int i = 0; i < steps; i++) {
        g.run(step);
      }
      return head.parameters().stream()
          .flatMapToDouble(p -> Arrays.stream(g.run(p.variable()))).toArray();
    }
  }

  @Test
  void aSeedFixesInitialValuesAndTraining() {
    for (String spec : List.of("mos:components=2", "plif:knots=1000", "entmax:learn-alpha=true")) {
      assertArrayEquals(trainedValues(spec, 5, 0), trainedValues(spec, 5, 0), spec + ": same seed, same start");
      assertFalse(Arrays.equals(trainedValues(spec, 5, 0), trainedValues(spec, 6, 0)),
          spec + ": another seed, another start");
      assertArrayEquals(trainedValues(spec, 5, 20), trainedValues(spec, 5, 20),
          spec + ": same seed, bit-identical after 20 steps");
    }
  }

  @Test
  void headsWithOneSeedShareClassEmbeddings() {
    try (Harness g = new Harness()) {
      var a = Heads.create("softmax", g.config(3, 5, 9)).classEmbeddings().orElseThrow();
      var b = Heads.create("plif:knots=10", g.config(3, 5, 9)).classEmbeddings().orElseThrow();
      assertArrayEquals(g.run(a), g.run(b), "same seed and name: a fair comparison starts equal");
    }
  }

  @Test
  void aTiedHeadUsesAndTrainsTheInputEmbedding() {
    try (Harness g = new Harness()) {
      double[] e0 = Harness.random(1, 5 * 3, 1.0);
      Variable<TFloat64> embedding = g.variable(e0, 5, 3);
      OutputHead<TFloat64> head = Heads.create("softmax:tied=true", g.config(3, 5, 1).withTiedEmbedding(embedding));
      assertEquals(List.of("class_bias"), head.parameters().stream().map(Parameter::name).toList(),
          "the tied embedding is owned by its creator");
      Operand<TFloat64> h = g.constant(Harness.random(2, 4 * 3, 1.0), 4, 3);
      double[] logp = g.run(head.logProbabilities(h));
      double[] hv = Harness.random(2, 4 * 3, 1.0);
      double[] z = ReferenceHeadsTest.affine(e0, null, Arrays.copyOfRange(hv, 0, 3), 5);
      Harness.assertClose("logits are embedding . h", ReferenceHeadsTest.softmax(z),
          Arrays.stream(Arrays.copyOfRange(logp, 0, 5)).map(Math::exp).toArray(), 1e-12, 1e-12);
      var grad = g.tf.gradients(g.tf.reduceSum(head.loss(h, g.constantLabels(0, 1, 2, 3)), g.tf.constant(0)),
          List.of(embedding));
      assertTrue(Arrays.stream(g.run(grad.dy(0))).anyMatch(x -> Math.abs(x) > 1e-6),
          "the loss reaches the embedding");
    }
  }

  @Test
  void plifSlopesStartNearOneAndCarryTheirLearningRate() {
    try (Harness g = new Harness()) {
      OutputHead<TFloat64> head = Heads.create("plif:knots=500,slope-spread=0.2,slope-lr=30", g.config(3, 5, 1));
      Parameter<TFloat64> slopes = head.parameters().stream()
          .filter(p -> p.name().equals("plif_slopes_raw")).findFirst().orElseThrow();
      assertEquals(30.0, slopes.learningRateMultiplier());
      double[] s = Arrays.stream(g.run(slopes.variable())).map(ReferenceHeadsTest::softplus).toArray();
      double min = Arrays.stream(s).min().orElseThrow();
      double max = Arrays.stream(s).max().orElseThrow();
      double mean = Arrays.stream(s).average().orElseThrow();
      assertTrue(min >= 0.8 - 1e-12 && max <= 1.2 + 1e-12, "slopes in [1 - spread, 1 + spread]: " + min + ".." + max);
      assertTrue(max - min > 0.3, "slopes spread out: " + min + ".." + max);
      assertEquals(1.0, mean, 0.03, "mean slope");
      head.parameters().stream().filter(p -> p != slopes)
          .forEach(p -> assertEquals(1.0, p.learningRateMultiplier(), p.name()));
    }
  }

  @Test
  void theLearningRateMultiplierScalesTheFirstAdamStep() {
    try (Harness g = new Harness()) {
      OutputHead<TFloat64> head = Heads.create("plif:knots=4,range=2,slope-lr=10", g.config(2, 3, 1));
      Operand<TFloat64> h = g.constant(Harness.random(1, 8 * 2, 3.0), 8, 2);
      var step = Optimizer.minimize(g.tf, g.tf.reduceSum(head.loss(h, g.constantLabels(0, 1, 2, 0, 1, 2, 0, 1)),
          g.tf.constant(0)), head.parameters(), 0.01, Optimizer.Settings.adam()).update();
      List<double[]> before = head.parameters().stream().map(p -> g.run(p.variable())).toList();
      g.run(step);
      for (int i = 0; i < before.size(); i++) {
        Parameter<TFloat64> p = head.parameters().get(i);
        double[] after = g.run(p.variable());
        for (int j = 0; j < after.length; j++) {
          double moved = Math.abs(after[j] - before.get(i)[j]);
          // Adam's first step moves every entry with a non-zero gradient by lr * multiplier
          if (moved > 0) {
            assertEquals(0.01 * p.learningRateMultiplier(), moved, 1e-6, p.name() + "[" + j + "]");
          }
        }
      }
    }
  }

  @Test
  void amSoftmaxAppliesItsMarginOnlyInTraining() {
    try (Harness g = new Harness()) {
      Operand<TFloat64> h = g.constant(Harness.random(4, 6 * 3, 1.0), 6, 3);
      int[] y = {0, 1, 2, 3, 4, 0};
      for (double margin : new double[] {0.0, 0.3}) {
        OutputHead<TFloat64> head = Heads.create("amsoftmax:scale=8,margin=" + margin, g.config(3, 5, 1));
        double[] loss = g.run(head.loss(h, g.constantLabels(y)));
        double[] logp = g.run(head.logProbabilities(h));
        for (int i = 0; i < y.length; i++) {
          double inference = -logp[i * 5 + y[i]];
          if (margin == 0) {
            assertEquals(inference, loss[i], 1e-12, "no margin: loss = -log p_y");
          } else {
            assertTrue(loss[i] > inference + 1e-3, "the margin makes training harder than inference");
          }
        }
      }
    }
  }

  @Test
  void aLearnedAlphaMovesAndStaysInItsRange() {
    try (Harness g = new Harness()) {
      EntmaxHead<TFloat64> head = (EntmaxHead<TFloat64>) Heads.<TFloat64>create(
          "entmax:learn-alpha=true,alpha=1.9", g.config(3, 8, 1));
      Operand<TFloat64> h = g.constant(Harness.random(5, 16 * 3, 2.0), 16, 3);
      // dense targets favour alpha near 1 (less sparsity)
      double[] q = new double[16 * 8];
      Arrays.fill(q, 1.0 / 8);
      var step = Optimizer.minimize(g.tf, g.tf.reduceSum(head.targetLoss(h, g.constant(q, 16, 8)), g.tf.constant(0)),
          head.parameters(), 0.1, Optimizer.Settings.adam()).update();
      Operand<TFloat64> alpha = head.alpha(g.tf);
      assertEquals(1.9, g.run(alpha)[0], 1e-12);
      for (int i = 0; i < 100; i++) {
        g.run(step);
      }
      double a = g.run(alpha)[0];
      assertTrue(a > 1 && a < 1.8, "alpha moved down, within (1, 2): " + a);
    }
  }
}
