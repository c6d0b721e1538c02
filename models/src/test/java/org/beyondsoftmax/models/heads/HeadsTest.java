package org.beyondsoftmax.models.heads;

import static org.beyondsoftmax.models.testing.Harness.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.models.testing.Harness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * Every head, tiny and in float64: shapes, valid probabilities, losses (and their agreement on
 * one-hot targets), parameter counts, top-k, finite-difference gradients reaching every variable,
 * and training.
 */
class HeadsTest {
  static final int N = 5;
  static final int D = 3;
  static final int M = 6;
  static final int[] LABELS = {0, 3, 5, 1, 3};

  /** Every head with small options, and its parameter count for d = 3, M = 6. */
  static Stream<Arguments> heads() {
    long linear = M * D + M;
    long mos = D * 2 * D + D * 2 + linear; // K = 2: projections K d^2, prior K d
    return Stream.of(
        Arguments.of("softmax", linear),
        Arguments.of("softmax:bias=false", linear - M),
        Arguments.of("sigsoftmax", linear),
        Arguments.of("mos:components=2", mos),
        Arguments.of("mos:components=2,tanh=false", mos),
        Arguments.of("mos-sigsoftmax:components=2", mos),
        Arguments.of("mos-plif:components=2,knots=7,range=3", mos + 7),
        Arguments.of("plif:knots=7,range=3", linear + 7),
        Arguments.of("plif:knots=7,range=3,slope-spread=0.5,slope-lr=10", linear + 7),
        Arguments.of("mlp:units=3,range=3", linear + 9),
        Arguments.of("sparsemax", linear),
        Arguments.of("entmax", linear),
        Arguments.of("entmax:alpha=1.3", linear),
        Arguments.of("entmax:learn-alpha=true", linear + 1),
        Arguments.of("topk:k=2", linear),
        Arguments.of("taylor", linear),
        Arguments.of("taylor:order=4", linear),
        Arguments.of("amsoftmax:scale=4,margin=0.2", linear - M));
  }

  private static double[] hidden() {
    return Harness.random(11, N * D, 3.0);
  }

  private static OutputHead<TFloat64> head(Harness g, String spec) {
    return Heads.create(spec, g.config(D, M, 7));
  }

  /** Random soft targets q [N, M], rows summing to 1. */
  private static Operand<TFloat64> softTargets(Harness g) {
    return g.constant(Harness.randomTargets(3, N, M), N, M);
  }

  private static Operand<TFloat64> oneHot(Harness g) {
    double[] q = new double[N * M];
    for (int i = 0; i < N; i++) {
      q[i * M + LABELS[i]] = 1;
    }
    return g.constant(q, N, M);
  }

  @Test
  void everyRegisteredHeadHasACase() {
    RegisteredHeads.assertEveryHeadHasACase("HeadsTest", heads());
  }

  @ForEveryHead
  void probabilitiesLossesAndParameterCount(String spec, long params) {
    try (Harness g = new Harness()) {
      OutputHead<TFloat64> head = head(g, spec);
      Operand<TFloat64> h = g.constant(hidden(), N, D);
      Operand<TInt32> y = g.constantLabels(LABELS);
      List<double[]> out = g.run(List.of(head.logProbabilities(h), head.probabilities(h),
          head.loss(h, y), head.targetLoss(h, oneHot(g)),
          head.targetLoss(h, softTargets(g))));
      double[] logp = out.get(0);
      double[] p = out.get(1);
      assertEquals(N * M, logp.length, "log-probabilities [N, M]");
      assertEquals(N * M, p.length, "probabilities [N, M]");
      boolean zeros = false;
      for (int i = 0; i < N; i++) {
        double sum = 0;
        for (int j = 0; j < M; j++) {
          double pij = p[i * M + j];
          assertTrue(pij >= 0 && pij <= 1, spec + ": p in [0, 1], got " + pij);
          sum += pij;
          zeros |= pij == 0;
          assertEquals(pij == 0 ? Double.NEGATIVE_INFINITY : Math.log(pij), logp[i * M + j],
              1e-12 * Math.max(1, Math.abs(logp[i * M + j])), spec + ": log p = log of p");
        }
        assertEquals(1.0, sum, 1e-12, spec + ": row " + i + " sums to 1");
      }
      assertEquals(head.isSparse(), zeros, spec + ": exact zeros iff the head is sparse");
      double[] loss = out.get(2);
      assertEquals(N, loss.length, "loss [N]");
      for (double l : loss) {
        assertTrue(Double.isFinite(l) && l >= -1e-12, spec + ": loss >= 0, got " + l);
      }
      assertClose(spec + ": targetLoss(one-hot) = loss", loss, out.get(3), 1e-10, 1e-10);
      for (double l : out.get(4)) {
        assertTrue(Double.isFinite(l) && l >= -1e-12, spec + ": soft-target loss >= 0, got " + l);
      }
      if (head.isSparse()) {
        assertThrows(UnsupportedOperationException.class, () -> head.logits(h), spec + ": no logits");
      } else {
        double[] z = g.run(head.logits(h));
        for (int i = 0; i < N; i++) {
          double sum = 0;
          for (int j = 0; j < M; j++) {
            sum += Math.exp(z[i * M + j]);
          }
          for (int j = 0; j < M; j++) {
            assertEquals(p[i * M + j], Math.exp(z[i * M + j]) / sum, 1e-12, spec + ": softmax(logits) = p");
          }
        }
        if (head instanceof LmsHead) {
          // centred as a linear layer's: a joint softmax with other entries (the cache) needs it
          for (double v : g.run(head.logits(g.constant(new double[N * D], N, D)))) {
            assertEquals(0, v, 1e-9, spec + ": logits are 0 where W h + b is 0 (h = 0, b starts at 0)");
          }
        }
      }
      assertEquals(params, head.parameterCount(), spec + ": parameter count");
      assertEquals(spec, head.spec().toString(), "spec() gives the options that differ from the defaults");
    }
  }

  @ForEveryHead
  void topKIsConsistentWithTheProbabilities(String spec, long params) {
    try (Harness g = new Harness()) {
      OutputHead<TFloat64> head = head(g, spec);
      Operand<TFloat64> h = g.constant(hidden(), N, D);
      TopK<TFloat64> top = head.topK(h, 3);
      TopK<TFloat64> all = head.topK(h, M + 4);
      List<double[]> out = g.run(List.of(head.probabilities(h), top.ids(), top.probabilities(),
          all.ids()));
      double[] p = out.get(0);
      double[] ids = out.get(1);
      double[] tp = out.get(2);
      assertEquals(N * 3, ids.length, "k = 3 ids per row");
      assertEquals(N * M, out.get(3).length, "k > M gives M ids per row");
      for (int i = 0; i < N; i++) {
        double lowest = Double.POSITIVE_INFINITY;
        List<Integer> chosen = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
          int id = (int) ids[i * 3 + r];
          chosen.add(id);
          assertEquals(p[i * M + id], tp[i * 3 + r], 1e-12, spec + ": top-k probability = p[id]");
          assertTrue(tp[i * 3 + r] <= lowest + 1e-15, spec + ": sorted, most probable first");
          lowest = tp[i * 3 + r];
        }
        for (int j = 0; j < M; j++) {
          if (!chosen.contains(j)) {
            assertTrue(p[i * M + j] <= lowest + 1e-15, spec + ": no unchosen class is more probable");
          }
        }
      }
    }
  }

  @ForEveryHead
  void gradientsReachEveryVariableAndMatchFiniteDifferences(String spec, long params) {
    try (Harness g = new Harness()) {
      OutputHead<TFloat64> head = head(g, spec);
      Variable<TFloat64> h = g.variable(hidden(), N, D);
      List<Variable<TFloat64>> variables = new ArrayList<>();
      head.parameters().forEach(p -> variables.add(Harness.float64(p.variable())));
      variables.add(h);
      Objectives objectives = Objectives.of(g, head, h);
      List<String> names = variables.stream().map(v -> spec + " " + v.op().name()).toList();
      for (Operand<TFloat64> objective : List.of(objectives.label(), objectives.soft())) {
        List<double[]> analytic = g.assertGradients(objective, variables,
            names.stream().map(name -> name + ": gradient").toList(), 1e-6, 1e-6, 1e-5);
        for (int v = 0; v < variables.size(); v++) {
          double norm = 0;
          for (double a : analytic.get(v)) {
            norm = Math.max(norm, Math.abs(a));
          }
          assertTrue(norm > 1e-6, names.get(v) + ": the gradient reaches this variable");
        }
      }
    }
  }

  @ForEveryHead
  void trainingLowersBothLosses(String spec, long params) {
    try (Harness g = new Harness()) {
      OutputHead<TFloat64> head = head(g, spec);
      Objectives objectives = Objectives.of(g, head, g.constant(hidden(), N, D));
      Operand<TFloat64> labelLoss = objectives.label();
      Operand<TFloat64> softLoss = objectives.soft();
      Op labelStep = Optimizer.minimize(g.tf, labelLoss, head.parameters(), 0.05, Optimizer.Settings.adam()).update();
      Op softStep = Optimizer.minimize(g.tf, softLoss, head.parameters(), 0.05, Optimizer.Settings.adam()).update();
      double[] before = g.run(List.of(labelLoss, softLoss)).stream().mapToDouble(a -> a[0]).toArray();
      for (int i = 0; i < 30; i++) {
        g.run(labelStep);
      }
      double labelAfter = g.run(labelLoss)[0];
      assertTrue(labelAfter < 0.7 * before[0],
          spec + ": label loss " + before[0] + " -> " + labelAfter + " after 30 steps");
      double softBefore = g.run(softLoss)[0];
      for (int i = 0; i < 30; i++) {
        g.run(softStep);
      }
      double softAfter = g.run(softLoss)[0];
      assertTrue(softAfter < softBefore - 0.05 * Math.abs(softBefore),
          spec + ": soft-target loss " + softBefore + " -> " + softAfter + " after 30 steps");
    }
  }

  /** The label loss and the soft-target loss of a head at h, each summed over the rows. */
  private record Objectives(Operand<TFloat64> label, Operand<TFloat64> soft) {
    static Objectives of(Harness g, OutputHead<TFloat64> head, Operand<TFloat64> h) {
      return new Objectives(sum(g, head.loss(h, g.constantLabels(LABELS))), sum(g, head.targetLoss(h, softTargets(g))));
    }
  }

  private static Operand<TFloat64> sum(Harness g, Operand<TFloat64> perExample) {
    return g.tf.reduceSum(perExample, g.tf.constant(0));
  }
}
