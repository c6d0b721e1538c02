package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.beyondsoftmax.ops.testing.RandomValues;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * The losses with target distributions ({@code *WithTargets}) and the alpha-entmax loss with a
 * tensor alpha: one-hot targets give the label forms, gradients (in the logits and in alpha)
 * match finite differences in float64 with and without -inf masks, and the values follow the
 * Fenchel-Young and cross-entropy formulas computed here in plain Java.
 */
class TargetLossesTest {
  private static final int N = 4;
  private static final int M = 6;
  private static final int[] Y = {2, 0, 5, 3};

  /** A per-example loss of logits x and targets q (float64) or labels y (int32). */
  interface Form<L extends TType> {
    Operand<TFloat64> apply(TestGraph g, Operand<TFloat64> x, Operand<L> targetsOrLabels);
  }

  /** A target loss and its label twin. */
  record Pair(Form<TFloat64> targets, Form<TInt32> labels) {}

  static Stream<Arguments> losses() {
    LossOptions o = LossOptions.defaults();
    return Stream.of(
        Arguments.of("crossEntropy", new Pair(
            (g, x, q) -> Losses.crossEntropyWithTargets(g.tf, x, q, o),
            (g, x, y) -> Losses.crossEntropy(g.tf, x, y, o))),
        Arguments.of("sparsemaxLoss", new Pair(
            (g, x, q) -> Losses.sparsemaxLossWithTargets(g.tf, x, q, o),
            (g, x, y) -> Losses.sparsemaxLoss(g.tf, x, y, o))),
        Arguments.of("entmax15Loss", new Pair(
            (g, x, q) -> Losses.entmax15LossWithTargets(g.tf, x, q, o),
            (g, x, y) -> Losses.entmax15Loss(g.tf, x, y, o))),
        Arguments.of("entmaxBisectLoss1.3", new Pair(
            (g, x, q) -> Losses.entmaxBisectLossWithTargets(g.tf, x, q, g.tf.constant(1.3), o),
            (g, x, y) -> Losses.entmaxBisectLoss(g.tf, x, y, 1.3, o))),
        Arguments.of("topKSoftmaxLoss2", new Pair(
            (g, x, q) -> Losses.topKSoftmaxLossWithTargets(g.tf, x, q, 2, o),
            (g, x, y) -> Losses.topKSoftmaxLoss(g.tf, x, y, 2, o))),
        Arguments.of("amSoftmaxLoss", new Pair(
            (g, x, q) -> Losses.amSoftmaxLossWithTargets(g.tf, g.tf.math.tanh(x), q, 4.0, 0.3, o),
            (g, x, y) -> Losses.amSoftmaxLoss(g.tf, g.tf.math.tanh(x), y, 4.0, 0.3, o))));
  }

  private static double[] logits(long seed, boolean masks) {
    Random r = new Random(seed);
    double[] x = RandomValues.gaussian(r, N * M, 1.5);
    if (masks) {
      x[1] = Double.NEGATIVE_INFINITY;
      x[M + 4] = Double.NEGATIVE_INFINITY;
    }
    return x;
  }

  private static double[] oneHot() {
    double[] q = new double[N * M];
    for (int i = 0; i < N; i++) {
      q[i * M + Y[i]] = 1;
    }
    return q;
  }

  /** Random target rows with some zeros, none on the masked entries. */
  private static double[] targets(long seed) {
    Random r = new Random(seed);
    double[] q = new double[N * M];
    for (int i = 0; i < N; i++) {
      double sum = 0;
      for (int j = 0; j < M; j++) {
        boolean masked = (i == 0 && j == 1) || (i == 1 && j == 4);
        double v = !masked && (j == Y[i] || r.nextDouble() < 0.5) ? r.nextDouble() + 0.1 : 0;
        q[i * M + j] = v;
        sum += v;
      }
      for (int j = 0; j < M; j++) {
        q[i * M + j] /= sum;
      }
    }
    return q;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("losses")
  void oneHotTargetsGiveTheLabelLoss(String name, Pair loss) {
    for (boolean masks : new boolean[] {false, true}) {
      try (TestGraph g = new TestGraph()) {
        Operand<TFloat64> x = g.input(logits(3, masks), N, M);
        List<double[]> out = g.run(List.of(loss.targets().apply(g, x, g.input(oneHot(), N, M)),
            loss.labels().apply(g, x, g.labels(Y, N))));
        TestGraph.assertClose(name + (masks ? " with masks" : ""), out.get(1), out.get(0), 1e-10, 1e-9);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("losses")
  void gradientsMatchFiniteDifferences(String name, Pair loss) {
    for (boolean masks : new boolean[] {false, true}) {
      try (TestGraph g = new TestGraph()) {
        Operand<TFloat64> x = g.input(logits(5, masks && !name.startsWith("amSoftmax")), N, M);
        Operand<TFloat64> y = loss.targets().apply(g, x, g.input(targets(8), N, M));
        for (double v : g.run(y)) {
          assertTrue(Double.isFinite(v) && v >= -1e-12, name + ": loss >= 0, got " + v);
        }
        Operand<TFloat64> dy = g.input(new double[] {0.7, -1.2, 0.4, 1.9}, N);
        double[] dx = g.assertGradients(g.objective(y, dy), List.of(x), List.of("dx"), 1e-6, 1e-6, 1e-5).get(0);
        if (masks && !name.startsWith("amSoftmax")) {
          assertEquals(0.0, Math.abs(dx[1]), name + ": no gradient at a masked entry");
        }
      }
    }
  }

  @Test
  void crossEntropyWithTargetsIsTheFormula() {
    double[] x = logits(11, true);
    double[] q = targets(12);
    try (TestGraph g = new TestGraph()) {
      double[] got = g.run(Losses.crossEntropyWithTargets(g.tf, g.input(x, N, M), g.input(q, N, M),
          LossOptions.defaults()));
      for (int i = 0; i < N; i++) {
        double lse = 0;
        for (int j = 0; j < M; j++) {
          lse += Math.exp(x[i * M + j]);
        }
        lse = Math.log(lse);
        double expected = 0;
        for (int j = 0; j < M; j++) {
          expected -= q[i * M + j] > 0 ? q[i * M + j] * (x[i * M + j] - lse) : 0;
        }
        assertEquals(expected, got[i], 1e-12, "row " + i);
      }
    }
  }

  @Test
  void sparsemaxLossWithTargetsIsTheFenchelYoungFormula() {
    double[] x = logits(13, false);
    double[] q = targets(14);
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> in = g.input(x, N, M);
      List<double[]> out = g.run(List.of(
          Losses.sparsemaxLossWithTargets(g.tf, in, g.input(q, N, M), LossOptions.defaults()),
          Mappings.sparsemax(g.tf, in)));
      double[] p = out.get(1);
      for (int i = 0; i < N; i++) {
        double linear = 0;
        double pp = 0;
        double qq = 0;
        for (int j = 0; j < M; j++) {
          int k = i * M + j;
          linear += (p[k] - q[k]) * x[k];
          pp += p[k] * p[k];
          qq += q[k] * q[k];
        }
        assertEquals(linear + (1 - pp) / 2 - (1 - qq) / 2, out.get(0)[i], 1e-12, "row " + i);
      }
    }
  }

  @Test
  void aTensorAlphaGetsTheFenchelYoungGradient() {
    double[] x = logits(21, true);
    for (boolean soft : new boolean[] {false, true}) {
      try (TestGraph g = new TestGraph()) {
        Operand<TFloat64> in = g.input(x, N, M);
        Operand<TFloat64> alpha = g.input(new double[] {1.45});
        Operand<TFloat64> y = soft
            ? Losses.entmaxBisectLossWithTargets(g.tf, in, g.input(targets(22), N, M), alpha, LossOptions.defaults())
            : Losses.entmaxBisectLoss(g.tf, in, g.labels(Y, N), alpha, LossOptions.defaults());
        Operand<TFloat64> fixed = soft
            ? Losses.entmaxBisectLossWithTargets(g.tf, in, g.input(targets(22), N, M), g.tf.constant(1.45),
                LossOptions.defaults())
            : Losses.entmaxBisectLoss(g.tf, in, g.labels(Y, N), 1.45, LossOptions.defaults());
        List<double[]> out = g.run(List.of(y, fixed));
        TestGraph.assertClose("tensor alpha = constant alpha", out.get(1), out.get(0), 1e-12, 1e-12);
        Operand<TFloat64> dy = g.input(new double[] {1.1, -0.6, 0.9, 0.3}, N);
        g.assertGradients(g.objective(y, dy), List.of(in, alpha), List.of("dx", "dalpha"), 1e-6, 1e-6, 1e-5);
      }
    }
  }

  @Test
  void badTargetsAndAlphaAreRejectedByName() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> x = g.input(logits(1, false), N, M);
      var shape = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropyWithTargets(
          g.tf, x, g.input(new double[N * (M - 1)], N, M - 1), LossOptions.defaults()));
      assertTrue(shape.getMessage().startsWith("targets must have the shape of the logits"), shape.getMessage());
      var dtype = assertThrows(IllegalArgumentException.class,
          () -> Losses.sparsemaxLossWithTargets(g.tf, x, castBack(g, x), LossOptions.defaults()));
      assertTrue(dtype.getMessage().startsWith("targets must"), dtype.getMessage());
      var alpha = assertThrows(IllegalArgumentException.class, () -> Losses.entmaxBisectLoss(
          g.tf, x, g.labels(Y, N), g.input(new double[] {1.5, 1.5}, 2), LossOptions.defaults()));
      assertTrue(alpha.getMessage().startsWith("alpha must be a scalar or have the labels' shape"), alpha.getMessage());
    }
  }

  /** An integer tensor standing in for targets of the wrong dtype. */
  @SuppressWarnings("unchecked")
  private static Operand<TFloat64> castBack(TestGraph g, Operand<TFloat64> x) {
    return (Operand<TFloat64>) (Operand<?>) g.tf.dtypes.cast(x, TInt32.class);
  }
}
