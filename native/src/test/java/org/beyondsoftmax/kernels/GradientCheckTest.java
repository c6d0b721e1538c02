package org.beyondsoftmax.kernels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.beyondsoftmax.ops.Kernels;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.beyondsoftmax.ops.testing.RandomValues;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;

/**
 * The registered gradient of every fused kernel against central finite differences of
 * sum(dy * y) in float64 (away from kinks: random inputs, PLIF knots not hit), including -inf
 * masks (whose gradient must be 0) and the slopes of PLIF.
 */
class GradientCheckTest {
  private static final double EPS = 1e-6;

  static Stream<Arguments> ops() {
    return Stream.of(
        Arguments.of("softmax", (Fn) (g, x) -> Mappings.softmax(g.tf, x)),
        Arguments.of("logSoftmax", (Fn) (g, x) -> Mappings.logSoftmax(g.tf, x)),
        Arguments.of("sigsoftmax", (Fn) (g, x) -> Mappings.sigsoftmax(g.tf, x)),
        Arguments.of("logSigsoftmax", (Fn) (g, x) -> Mappings.logSigsoftmax(g.tf, x)),
        Arguments.of("sparsemax", (Fn) (g, x) -> Mappings.sparsemax(g.tf, x)),
        Arguments.of("entmax15", (Fn) (g, x) -> Mappings.entmax15(g.tf, x)),
        Arguments.of("sparsemaxLoss",
            (Fn) (g, x) -> Losses.sparsemaxLoss(g.tf, x, g.labels(new int[] {1, 4, 0}, 3))),
        Arguments.of("entmax15Loss",
            (Fn) (g, x) -> Losses.entmax15Loss(g.tf, x, g.labels(new int[] {1, 4, 0}, 3))),
        Arguments.of("sigsoftmaxCrossEntropy",
            (Fn) (g, x) -> Losses.sigsoftmaxCrossEntropy(g.tf, x, g.labels(new int[] {1, 4, 0}, 3))),
        Arguments.of("entmaxBisect1.25", (Fn) (g, x) -> Mappings.entmaxBisect(g.tf, x, 1.25)),
        Arguments.of("entmaxBisect1.5", (Fn) (g, x) -> Mappings.entmaxBisect(g.tf, x, 1.5)),
        Arguments.of("entmaxBisect3", (Fn) (g, x) -> Mappings.entmaxBisect(g.tf, x, 3)),
        Arguments.of("entmaxBisectLoss1.25", (Fn) (g, x) ->
            Losses.entmaxBisectLoss(g.tf, x, g.labels(new int[] {1, 4, 0}, 3), 1.25)),
        Arguments.of("entmaxBisectLoss2.5", (Fn) (g, x) ->
            Losses.entmaxBisectLoss(g.tf, x, g.labels(new int[] {1, 4, 0}, 3), 2.5)));
  }

  interface Fn {
    Operand<TFloat64> apply(TestGraph g, Operand<TFloat64> x);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ops")
  void mappingsAndLosses(String name, Fn fn) {
    Random r = new Random(name.hashCode());
    double[] x = new double[15];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextGaussian() * (name.startsWith("sparse") || name.startsWith("entmax") ? 0.3 : 2);
    }
    x[7] = Double.NEGATIVE_INFINITY;
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> in = g.input(x, 3, 5);
      Operand<TFloat64> y = fn.apply(g, in);
      assertFalse(g.opTypes("Beyond").isEmpty(), name + ": no fused kernel");
      gradients(name, g, y, List.of(in), r);
    }
  }

  @ParameterizedTest(name = "K={0}")
  @MethodSource("knots")
  void plif(int knots) {
    Random r = new Random(knots);
    double[] x = RandomValues.gaussian(r, 12, 3);
    double[] v = RandomValues.gaussian(r, knots, 1);
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> xin = g.input(x, 3, 4);
      Operand<TFloat64> vin = g.input(v, knots);
      Operand<TFloat64> y = Mappings.plif(g.tf, xin, vin, 2.5);
      assertFalse(g.opTypes("BeyondPlif").isEmpty());
      gradients("plif", g, y, List.of(xin, vin), r);
    }
  }

  static Stream<Integer> knots() {
    return Stream.of(1, 5, 40);
  }

  /** The fused PLIF cross-entropy in the logits and the raw slopes (a -inf logit included). */
  @ParameterizedTest(name = "K={0}")
  @MethodSource("knots")
  void plifCrossEntropy(int knots) {
    Random r = new Random(knots + 1);
    double[] x = RandomValues.gaussian(r, 12, 3);
    x[5] = Double.NEGATIVE_INFINITY;
    double[] v = RandomValues.gaussian(r, knots, 1);
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> xin = g.input(x, 3, 4);
      Operand<TFloat64> vin = g.input(v, knots);
      Operand<TFloat64> loss =
          Losses.plifCrossEntropy(g.tf, xin, g.labels(new int[] {2, 0, 3}, 3), vin, 2.5);
      assertFalse(g.opTypes("BeyondPlifCrossEntropy").isEmpty());
      gradients("plifCrossEntropy", g, loss, List.of(xin, vin), r);
    }
  }

  /** alpha-entmax with one alpha per row: gradients in x and in alpha. */
  @Test
  void entmaxBisectAlpha() {
    Random r = new Random(11);
    double[] x = RandomValues.gaussian(r, 15, 0.5);
    x[7] = Double.NEGATIVE_INFINITY;
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> xin = g.input(x, 3, 5);
      Operand<TFloat64> ain = g.input(new double[] {1.3, 1.6, 2.4}, 3);
      Operand<TFloat64> p = Mappings.entmaxBisect(g.tf, xin, ain, -1);
      assertFalse(g.opTypes("BeyondEntmaxBisect").isEmpty());
      gradients("entmaxBisect", g, p, List.of(xin, ain), r);
    }
  }

  /**
   * The alpha-entmax loss kernel's alpha-gradient (dH_alpha/dalpha at the loss's p), per row and
   * for one alpha shared by all rows, against finite differences (the ops take alpha as a
   * constant: built through the provider).
   */
  @ParameterizedTest(name = "alpha per row: {0}")
  @ValueSource(booleans = {true, false})
  void entmaxBisectLossAlpha(boolean perRow) {
    assertTrue(Kernels.nativeLoaded(), Kernels.status());
    Random r = new Random(perRow ? 12 : 13);
    double[] x = RandomValues.gaussian(r, 15, 0.7);
    x[2] = Double.NEGATIVE_INFINITY;
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> xin = g.input(x, 3, 5);
      Operand<TFloat64> ain = perRow ? g.input(new double[] {1.2, 1.7, 3.5}, 3) : g.input(new double[] {1.6});
      Operand<TFloat64> loss = new CpuKernels().entmaxBisectLoss(g.tf, xin, g.labels(new int[] {0, 4, 1}, 3), ain);
      gradients("entmaxBisectLoss", g, loss, List.of(xin, ain), r);
    }
  }

  /** tf.gradients of sum(dy * y) against central differences, for every input. */
  private static void gradients(String name, TestGraph g, Operand<TFloat64> y,
      List<Operand<TFloat64>> inputs, Random r) {
    double[] dy = RandomValues.gaussian(r, (int) y.shape().size(), 1);
    double[] values = g.run(y);
    for (int i = 0; i < dy.length; i++) {
      if (Double.isInfinite(values[i])) {
        dy[i] = 0; // log outputs of masked entries
      }
    }
    Operand<TFloat64> w = g.input(dy, y.shape().asArray());
    List<String> names = IntStream.range(0, inputs.size()).mapToObj(k -> name + " d/dinput" + k).toList();
    g.assertGradients(g.objective(y, w), inputs, names, EPS, 1e-6, 1e-5);
  }
}
