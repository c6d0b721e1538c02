package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.beyondsoftmax.ops.testing.RandomValues;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * Finite differences in float64 against tf.gradients for every mapping and loss, on random inputs
 * of rank 2 and 3 (class axis last and in the middle), with -inf masks where they apply.
 */
class GradientCheckTest {
  private static final double EPS = 1e-6;
  private static final double ATOL = 1e-6;
  private static final double RTOL = 1e-5;

  /** A graph function of the logits (and fed labels) to check. */
  interface Fn extends BiFunction<TestGraph, Operand<TFloat64>, Operand<TFloat64>> {}

  static Stream<Arguments> mappings() {
    return Stream.of(
        Arguments.of("softmax", (Fn) (g, x) -> Mappings.softmax(g.tf, x, axis(x))),
        Arguments.of("logSoftmax", (Fn) (g, x) -> Mappings.logSoftmax(g.tf, x, axis(x))),
        Arguments.of("sigsoftmax", (Fn) (g, x) -> Mappings.sigsoftmax(g.tf, x, axis(x))),
        Arguments.of("logSigsoftmax", (Fn) (g, x) -> Mappings.logSigsoftmax(g.tf, x, axis(x))),
        Arguments.of("sparsemax", (Fn) (g, x) -> Mappings.sparsemax(g.tf, x, axis(x))),
        Arguments.of("entmax15", (Fn) (g, x) -> Mappings.entmax15(g.tf, x, axis(x))),
        Arguments.of("entmaxBisect1.3", (Fn) (g, x) -> Mappings.entmaxBisect(g.tf, x, 1.3, axis(x))),
        Arguments.of("entmaxBisect2.5", (Fn) (g, x) -> Mappings.entmaxBisect(g.tf, x, 2.5, axis(x))),
        Arguments.of("entmaxBisect1", (Fn) (g, x) -> Mappings.entmaxBisect(g.tf, x, 1.0, axis(x))),
        Arguments.of("taylor2", (Fn) (g, x) -> Mappings.taylorSoftmax(g.tf, x, 2, axis(x))),
        Arguments.of("taylor4", (Fn) (g, x) -> Mappings.taylorSoftmax(g.tf, x, 4, axis(x))),
        Arguments.of("topK2", (Fn) (g, x) -> Mappings.topKSoftmax(g.tf, x, 2, axis(x))),
        // fixed noise: the seeded op draws new noise at every run, which finite differences cannot follow
        Arguments.of("gumbelSoftmax", (Fn) (g, x) -> fixedNoiseGumbel(g, x)));
  }

  private static Operand<TFloat64> fixedNoiseGumbel(TestGraph g, Operand<TFloat64> x) {
    if (axis(x) != -1) {
      x = g.tf.linalg.transpose(x, g.tf.constant(new int[] {0, 2, 1}));
    }
    Operand<TFloat64> noise = g.tf.math.add(g.tf.zerosLike(g.tf.stopGradient(x)), g.tf.constant(0.37));
    return Gumbel.softmax(g.tf, x, noise, 0.7, false);
  }

  static Stream<Arguments> losses() {
    return Stream.of(
        Arguments.of("crossEntropy", (Fn) (g, x) -> Losses.crossEntropy(g.tf, x, labels(g, x), opts(x))),
        Arguments.of("sparsemaxLoss", (Fn) (g, x) -> Losses.sparsemaxLoss(g.tf, x, labels(g, x), opts(x))),
        Arguments.of("entmax15Loss", (Fn) (g, x) -> Losses.entmax15Loss(g.tf, x, labels(g, x), opts(x))),
        Arguments.of("entmaxBisectLoss1.3",
            (Fn) (g, x) -> Losses.entmaxBisectLoss(g.tf, x, labels(g, x), 1.3, opts(x))),
        Arguments.of("entmaxBisectLoss1",
            (Fn) (g, x) -> Losses.entmaxBisectLoss(g.tf, x, labels(g, x), 1.0, opts(x))),
        Arguments.of("topKSoftmaxLoss2", (Fn) (g, x) -> Losses.topKSoftmaxLoss(g.tf, x, labels(g, x), 2, opts(x))),
        Arguments.of("amSoftmaxLoss",
            (Fn) (g, x) -> Losses.amSoftmaxLoss(g.tf, g.tf.math.tanh(x), labels(g, x), 4.0, 0.3, opts(x))),
        Arguments.of("taylorCrossEntropy4",
            (Fn) (g, x) -> Losses.taylorCrossEntropy(g.tf, x, labels(g, x), 4, opts(x))));
  }

  /** Rank-3 inputs use the middle axis as class axis. */
  private static int axis(Operand<?> x) {
    return x.shape().numDimensions() == 3 ? 1 : -1;
  }

  private static LossOptions opts(Operand<?> x) {
    return LossOptions.defaults().withAxis(axis(x));
  }

  private static Operand<TInt32> labels(TestGraph g, Operand<TFloat64> x) {
    long[] s = x.shape().asArray();
    int classes = (int) s[axis(x) < 0 ? s.length - 1 : axis(x)];
    long[] ls = x.shape().numDimensions() == 3 ? new long[] {s[0], s[2]} : new long[] {s[0]};
    int n = 1;
    for (long d : ls) {
      n *= (int) d;
    }
    int[] y = new int[n];
    Random r = new Random(7);
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(classes);
    }
    return g.labels(y, ls);
  }

  @ParameterizedTest(name = "{0} rank {2}")
  @MethodSource("cases")
  void gradientMatchesFiniteDifferences(String name, Fn fn, int rank) {
    long[] shape = rank == 2 ? new long[] {4, 6} : new long[] {2, 5, 3};
    check(fn, shape, false);
  }

  @ParameterizedTest(name = "{0} with -inf masks")
  @MethodSource("maskable")
  void gradientWithMasks(String name, Fn fn) {
    check(fn, new long[] {4, 6}, true);
  }

  static Stream<Arguments> cases() {
    return Stream.concat(mappings(), losses())
        .flatMap(a -> Stream.of(2, 3).map(r -> Arguments.of(a.get()[0], a.get()[1], r)));
  }

  static Stream<Arguments> maskable() {
    // amSoftmax takes cosines (never -inf); masks on the others
    return Stream.concat(mappings(), losses()).filter(a -> !a.get()[0].equals("amSoftmaxLoss"));
  }

  private static void check(Fn fn, long[] shape, boolean masks) {
    int n = 1;
    for (long d : shape) {
      n *= (int) d;
    }
    Random r = new Random(42 + n);
    double[] x = RandomValues.gaussian(r, n, 1.5);
    double[] dy;
    if (masks) {
      x[1] = Double.NEGATIVE_INFINITY;
      x[8] = Double.NEGATIVE_INFINITY;
      x[15] = Double.NEGATIVE_INFINITY;
    }
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> in = g.input(x, shape);
      Operand<TFloat64> y = fn.apply(g, in);
      long[] ys = y.shape().asArray();
      int m = 1;
      for (long d : ys) {
        m *= (int) d;
      }
      double[] dyv = new double[m];
      double[] yv = g.run(y);
      for (int i = 0; i < m; i++) {
        dyv[i] = Double.isInfinite(yv[i]) ? 0 : r.nextGaussian();
      }
      dy = dyv;
      Operand<TFloat64> dyIn = g.input(dy, ys);
      double[] analytic =
          g.assertGradients(g.objective(y, dyIn), List.of(in), List.of("dx"), EPS, ATOL, RTOL).get(0);
      if (masks) {
        for (int i : new int[] {1, 8, 15}) {
          org.junit.jupiter.api.Assertions.assertEquals(0.0, Math.abs(analytic[i]), "gradient at a masked entry");
        }
      }
    }
  }

  @org.junit.jupiter.api.Test
  void alphaGradient() {
    Random r = new Random(5);
    double[] x = RandomValues.gaussian(r, 12, 1);
    for (double[] alpha : new double[][] {{1.4}, {1.2, 1.7, 2.4}}) {
      try (TestGraph g = new TestGraph()) {
        Operand<TFloat64> in = g.input(x, 3, 4);
        Operand<TFloat64> a = alpha.length == 1 ? g.input(alpha) : g.input(alpha, 3);
        Operand<TFloat64> y = Mappings.entmaxBisect(g.tf, in, a, -1);
        assertGradients(g, r, y, List.of(in, a), List.of("dx", "dalpha"), 3, 4);
      }
    }
  }

  @org.junit.jupiter.api.Test
  void plifGradients() {
    Random r = new Random(9);
    double[] x = RandomValues.gaussian(r, 15, 3);
    x[3] = 7.5; // beyond +T
    x[4] = -6.2; // below -T
    double[] v = RandomValues.gaussian(r, 8, 1);
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> in = g.input(x, 3, 5);
      Operand<TFloat64> slopes = g.input(v, 8);
      Operand<TFloat64> y = Mappings.plif(g.tf, in, slopes, 4.0);
      assertGradients(g, r, y, List.of(in, slopes), List.of("dx", "dslopes"), 3, 5);
    }
  }

  /** float32 PLIF (one packed lookup) agrees with float64 (two gathers), masks included. */
  @org.junit.jupiter.api.Test
  void plifFloat32MatchesFloat64() {
    Random r = new Random(21);
    double[] x = RandomValues.gaussian(r, 40, 8);
    x[7] = Double.NEGATIVE_INFINITY;
    double[] v = RandomValues.gaussian(r, 50, 1);
    try (TestGraph g = new TestGraph()) {
      var tf = g.tf;
      Operand<TFloat64> in = g.input(x, 4, 10);
      Operand<TFloat64> slopes = g.input(v, 50);
      Operand<TFloat64> w = g.input(java.util.Arrays.stream(x).map(a -> Double.isInfinite(a) ? 0 : 0.3).toArray(), 4, 10);
      var in32 = tf.dtypes.cast(in, org.tensorflow.types.TFloat32.class);
      var s32 = tf.dtypes.cast(slopes, org.tensorflow.types.TFloat32.class);
      var y64 = Mappings.plif(tf, in, slopes, 10.0);
      var y32 = Mappings.plif(tf, in32, s32, 10.0);
      var o64 = g.objective(y64, w);
      var o32 = g.objective(tf.dtypes.cast(y32, TFloat64.class), w);
      List<double[]> out = g.run(List.of(y64, y32,
          tf.gradients(o64, List.of(in, slopes)).dy(0), tf.gradients(o64, List.of(in, slopes)).dy(1),
          tf.gradients(o32, List.of(in32, s32)).dy(0), tf.gradients(o32, List.of(in32, s32)).dy(1)));
      TestGraph.assertClose("f", out.get(0), out.get(1), 1e-4, 1e-5);
      TestGraph.assertClose("dx", out.get(2), out.get(4), 1e-5, 1e-5);
      TestGraph.assertClose("dslopes", out.get(3), out.get(5), 1e-4, 1e-5);
    }
  }

  @org.junit.jupiter.api.Test
  void mixtureGradients() {
    Random r = new Random(11);
    double[] x = RandomValues.gaussian(r, 2 * 3 * 4, 1);
    x[5] = Double.NEGATIVE_INFINITY;
    double[] prior = {0.3, -0.2, 1.1, 0.5, 0.0, -1.0};
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> in = g.input(x, 2, 3, 4);
      Operand<TFloat64> pr = g.input(prior, 2, 3);
      Operand<TFloat64> y = Mappings.logMixtureOfSoftmaxes(g.tf, in, pr);
      assertGradients(g, r, y, List.of(in, pr), List.of("dx", "dprior"), 2, 4);
    }
  }

  /**
   * Asserts the gradients of sum(dy y) in xs against finite differences, with dy of the given
   * shape drawn from N(0, 1) by r.
   */
  private static void assertGradients(TestGraph g, Random r, Operand<TFloat64> y,
      List<Operand<TFloat64>> xs, List<String> names, long... dyShape) {
    double[] dy = RandomValues.gaussian(r, (int) java.util.Arrays.stream(dyShape).reduce(1, (a, b) -> a * b), 1);
    g.assertGradients(g.objective(y, g.input(dy, dyShape)), xs, names, EPS, ATOL, RTOL);
  }
}
