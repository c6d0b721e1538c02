package org.beyondsoftmax.framework.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.beyondsoftmax.framework.activations.Sparsemax;
import org.beyondsoftmax.framework.losses.SparseCrossEntropy;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.tensorflow.Operand;
import org.tensorflow.framework.activations.Softmax;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/** Perplexity (plain and smoothed) and support size against plain-Java sums, over batches. */
class MetricsTest {
  private static final double[] P1 = {0.5, 0.5, 0.0, 0.2, 0.3, 0.5, 1.0, 0.0, 0.0};
  private static final int[] Y1 = {0, 2, 0};
  private static final double[] W1 = {1.0, 2.0, 0.5};
  private static final double[] P2 = {0.1, 0.6, 0.3, 0.0, 0.4, 0.6};
  private static final int[] Y2 = {1, 2};

  @Test
  void perplexityIsTheExpOfTheWeightedMeanNllOverBatches() {
    try (TestGraph g = new TestGraph()) {
      Perplexity perplexity = new Perplexity();
      Op first = perplexity.updateState(g.tf, g.labels(Y1, 3), g.input(P1, 3, 3), g.input(W1, 3));
      Op second = perplexity.updateState(g.tf, g.labels(Y2, 2), g.input(P2, 2, 3), null);
      Operand<TFloat32> result = perplexity.result(g.tf, TFloat32.class);
      Op reset = perplexity.resetStates(g.tf);
      g.run(first);
      double nll = -(1.0 * Math.log(0.5) + 2.0 * Math.log(0.5) + 0.5 * Math.log(1.0));
      assertEquals(Math.exp(nll / 3.5), g.run(result)[0], 1e-6, "one weighted batch");
      g.run(second);
      double nll2 = nll - Math.log(0.6) - Math.log(0.6);
      assertEquals(Math.exp(nll2 / 5.5), g.run(result)[0], 1e-6, "two batches, the second unweighted");
      g.run(reset);
      assertEquals(1.0, g.run(result)[0], 0.0, "nothing since the reset: exp(0)");
    }
  }

  @Test
  void aSparseHeadsPerplexityIsInfiniteAndItsSmoothedOneFinite() {
    double[] p = {0.7, 0.3, 0.0, 0.0, 1.0, 0.0};
    int[] y = {2, 1};
    double eps = Perplexity.EPSILON_SPARSE;
    try (TestGraph g = new TestGraph()) {
      Perplexity plain = new Perplexity();
      Perplexity smoothed = new Perplexity(eps);
      g.run(plain.updateState(g.tf, g.labels(y, 2), g.input(p, 2, 3), null));
      g.run(smoothed.updateState(g.tf, g.labels(y, 2), g.input(p, 2, 3), null));
      assertEquals(Double.POSITIVE_INFINITY, g.run(plain.result(g.tf, TFloat64.class))[0]);
      double nll = -Math.log((0.0 + eps) / (1 + 3 * eps)) - Math.log((1.0 + eps) / (1 + 3 * eps));
      assertEquals(Math.exp(nll / 2), g.run(smoothed.result(g.tf, TFloat64.class))[0], 1e-6 * Math.exp(nll / 2));
    }
  }

  @Test
  void perplexityOfAnActivationIsTheExpOfTheCrossEntropyOfItsLogits() {
    double[] x = new SplittableRandom(2).doubles(5 * 4, -2, 2).toArray();
    int[] y = {0, 1, 2, 3, 1};
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> logits = g.input(x, 5, 4);
      Perplexity perplexity = new Perplexity();
      g.run(perplexity.updateState(g.tf, g.labels(y, 5), new Softmax().call(g.tf, logits), null));
      double ce = g.run(new SparseCrossEntropy().call(g.tf, g.labels(y, 5), logits, null))[0];
      assertEquals(Math.exp(ce), g.run(perplexity.result(g.tf, TFloat64.class))[0], 1e-12);
    }
  }

  @Test
  void aBatchOfUnknownSizeCountsItsExamples() {
    // the framework's Mean counts shape().size() = -1 examples for an unknown batch without weights
    try (TestGraph g = new TestGraph()) {
      Perplexity perplexity = new Perplexity();
      SupportSize support = new SupportSize();
      g.run(perplexity.updateState(g.tf, g.labels(Y1, 3), g.inputUnknownShape(P1, 3, 3), null));
      g.run(support.updateState(g.tf, null, g.inputUnknownShape(P1, 3, 3), null));
      double nll = -(Math.log(0.5) + Math.log(0.5) + Math.log(1.0));
      assertEquals(Math.exp(nll / 3), g.run(perplexity.result(g.tf, TFloat64.class))[0], 1e-12);
      assertEquals((2 + 3 + 1) / 3.0, g.run(support.result(g.tf, TFloat64.class))[0], 1e-12);
    }
  }

  @Test
  void supportSizeCountsTheClassesWithPositiveProbability() {
    double[] x = new SplittableRandom(4).doubles(6 * 8, -3, 3).toArray();
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat32> p = new Sparsemax().call(g.tf, g.input32(x, 6, 8));
      double[] values = g.run(p);
      double[] w = {1, 2, 3, 0, 1, 1};
      double sum = 0;
      for (int i = 0; i < 6; i++) {
        for (int j = 0; j < 8; j++) {
          sum += values[i * 8 + j] > 0 ? w[i] : 0;
        }
      }
      SupportSize support = new SupportSize();
      g.run(support.updateState(g.tf, null, p, g.input32(w, 6)));
      double mean = g.run(support.result(g.tf, TFloat64.class))[0];
      assertEquals(sum / 8, mean, 1e-12);
      assertTrue(mean < 8, "sparsemax has zeros: " + mean);
      SupportSize dense = new SupportSize("dense", -1);
      g.run(dense.updateState(g.tf, g.labels(new int[6], 6), new Softmax().call(g.tf, g.input32(x, 6, 8)), null));
      assertEquals(8.0, g.run(dense.result(g.tf, TFloat64.class))[0], 0.0, "softmax: every class");
    }
  }

  @Test
  void aLabelOutsideTheClassesFailsTheRun() {
    try (TestGraph g = new TestGraph()) {
      Perplexity perplexity = new Perplexity();
      Op update = perplexity.updateState(g.tf, g.labels(new int[] {0, 3, 1}, 3), g.input(P1, 3, 3), null);
      Exception e = assertThrows(Exception.class, () -> g.run(update));
      assertTrue(e.getMessage().contains("labels must be class ids in [0, M)"), e.getMessage());
    }
  }

  private static void rejects(String argument, Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build, argument);
    assertTrue(e.getMessage().startsWith(argument + " "), "the message names " + argument + ": " + e.getMessage());
  }

  @Test
  @SuppressWarnings("unchecked")
  void badInputIsRefusedAtGraphBuildTimeNamingTheArgument() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> p = g.input(P1, 3, 3);
      Operand<TInt32> y = g.labels(Y1, 3);
      for (ProbabilityMetric m : List.of(new Perplexity(), new SupportSize())) {
        rejects("predictions", () -> m.updateState(g.tf, y, g.labels(new int[9], 3, 3), null));
        rejects("labels", () -> m.updateState(g.tf, g.input(new double[3], 3), p, null));
        rejects("labels", () -> m.updateState(g.tf, g.labels(new int[9], 3, 3), p, null));
        rejects("sampleWeights", () -> m.updateState(g.tf, y, p, g.input(new double[4], 4)));
        rejects("sampleWeights", () -> m.updateState(g.tf, y, p, g.labels(new int[3], 3)));
      }
      rejects("labels", () -> new Perplexity().updateState(g.tf, null, p, null));
    }
    rejects("epsilon", () -> new Perplexity(-1e-6));
  }

  private static ProbabilityMetric fromConfig(ProbabilityMetric like, Map<String, Object> config) {
    return like instanceof Perplexity ? new Perplexity(config) : new SupportSize(config);
  }

  @Test
  void configurationMaps() {
    for (ProbabilityMetric m : List.of(new Perplexity(), new Perplexity(1e-6), new SupportSize())) {
      Map<String, Object> config = m.getConfig();
      assertEquals(config, fromConfig(m, config).getConfig());
      Map<String, Object> unknown = new HashMap<>(config);
      unknown.put("fromLogits", true);
      assertThrows(IllegalArgumentException.class, () -> fromConfig(m, unknown));
    }
    assertEquals(Map.of("name", "Perplexity", "axis", -1, "epsilon", 0.0), new Perplexity().getConfig());
    assertEquals(1e-6, new Perplexity(Map.of("epsilon", 1e-6)).getEpsilon());
  }
}
