package org.beyondsoftmax.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.beyondsoftmax.ops.Kernels;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.beyondsoftmax.ops.NativeKernels.Sparse;
import org.beyondsoftmax.ops.Reduction;
import org.beyondsoftmax.ops.testing.RandomValues;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * Every fused kernel against its composite twin (the same public op built inside
 * Kernels.portable()), forward and gradient, in float64 and float32, on inputs with -inf masks
 * (including whole rows), ties, huge (1e8) and tiny (1e-8) scales, arguments outside the fast
 * paths, a non-last class axis, and shapes large enough to run on several threads.
 */
class TwinTest {
  /** Input families: name and generator of a [rows, cols] row-major array. */
  enum Family {
    NORMAL, MASKED, TIES, HUGE, TINY, EXTREME;

    double[] data(Random r, int rows, int cols) {
      double[] x = RandomValues.gaussian(r, rows * cols, 2);
      switch (this) {
        case MASKED -> {
          for (int i = 0; i < x.length; i++) {
            if (r.nextInt(4) == 0) {
              x[i] = Double.NEGATIVE_INFINITY;
            }
          }
          for (int j = 0; j < cols; j++) {
            x[cols + j] = Double.NEGATIVE_INFINITY; // row 1: all masked
          }
          x[0] = 0; // row 0 keeps an entry
        }
        case TIES -> {
          double[] values = {0.5, 1, 1, 1, -2, 0.5};
          for (int i = 0; i < x.length; i++) {
            x[i] = values[r.nextInt(values.length)];
          }
          for (int j = 0; j < cols; j++) {
            x[j] = 0.25; // row 0: all equal
          }
        }
        case HUGE -> scale(x, 1e8);
        case TINY -> scale(x, 1e-8);
        case EXTREME -> { // row maxima outside the fast paths of both float32 and float64
          double[] shift = {-400, -30, 50, 350};
          for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
              x[i * cols + j] += shift[i % shift.length];
            }
          }
        }
        default -> {}
      }
      return x;
    }
  }

  private static void scale(double[] x, double s) {
    for (int i = 0; i < x.length; i++) {
      x[i] *= s;
    }
  }

  /** A mapping or a per-example loss over logits x (float64 or float32). */
  interface Op {
    Operand<?> apply(Ops tf, Operand<TFloating> x, Operand<TInt32> labels);
  }

  static Stream<Arguments> mappings() {
    List<Arguments> args = new ArrayList<>();
    List<Named> ops = List.of(
        new Named("softmax", (tf, x, l) -> Mappings.softmax(tf, x)),
        new Named("logSoftmax", (tf, x, l) -> Mappings.logSoftmax(tf, x)),
        new Named("sigsoftmax", (tf, x, l) -> Mappings.sigsoftmax(tf, x)),
        new Named("logSigsoftmax", (tf, x, l) -> Mappings.logSigsoftmax(tf, x)),
        new Named("sparsemax", (tf, x, l) -> Mappings.sparsemax(tf, x)),
        new Named("entmax15", (tf, x, l) -> Mappings.entmax15(tf, x)),
        new Named("sparsemaxLoss", (tf, x, l) -> Losses.sparsemaxLoss(tf, x, l)),
        new Named("entmax15Loss", (tf, x, l) -> Losses.entmax15Loss(tf, x, l)),
        new Named("sigsoftmaxCrossEntropy", (tf, x, l) -> Losses.sigsoftmaxCrossEntropy(tf, x, l)),
        new Named("plifCrossEntropy",
            (tf, x, l) -> Losses.plifCrossEntropy(tf, x, l, slopes(tf, x, 37), 3.0)),
        // (alpha-entmax on every family: one mapping and one loss here; every alpha from 1 to 7
        // on every family in entmaxBisectAlphaPerRow)
        entmaxBisect(3), entmaxBisectLoss(1.25));
    for (Named op : ops) {
      for (Family f : Family.values()) {
        for (boolean f64 : new boolean[] {true, false}) {
          args.add(Arguments.of(op.name(), op.op(), f, f64, op.bisect()));
        }
      }
    }
    return args.stream();
  }

  /** An op to compare; bisect: alpha-entmax, whose composite twin bisects (see twin). */
  private record Named(String name, Op op, boolean bisect) {
    Named(String name, Op op) {
      this(name, op, false);
    }
  }

  private static Named entmaxBisect(double alpha) {
    return new Named(
        "entmaxBisect" + alpha, (tf, x, l) -> Mappings.entmaxBisect(tf, x, alpha), true);
  }

  private static Named entmaxBisectLoss(double alpha) {
    return new Named(
        "entmaxBisectLoss" + alpha, (tf, x, l) -> Losses.entmaxBisectLoss(tf, x, l, alpha), true);
  }

  /** k fixed raw PLIF slopes (seeded) as a constant of x's dtype. */
  private static <T extends TFloating> Operand<T> slopes(Ops tf, Operand<T> x, int k) {
    Random r = new Random(k);
    double[] v = RandomValues.gaussian(r, k, 1);
    return tf.dtypes.cast(tf.constant(v), x.type());
  }

  @ParameterizedTest(name = "{0} {2} float64={3}")
  @MethodSource("mappings")
  void agreesWithComposite(String name, Op op, Family family, boolean f64, boolean bisect) {
    Random r = new Random(name.hashCode() * 31L + family.ordinal());
    for (int[] shape : new int[][] {{7, 33}, {40, 1700}}) { // the second runs on several threads
      twin(op, family.data(r, shape[0], shape[1]), shape[0], shape[1], r, f64,
          bisect ? family : null, name + " " + family + " " + shape[0] + "x" + shape[1]);
    }
  }

  /**
   * The fused op against its composite twin. For alpha-entmax (bisect, not null) the twin is
   * the float64 composite also for float32 input (the composite bisects 26 times in float32,
   * which leaves tau off by 1e-8, too coarse a reference where alpha &gt; 2 or the scale is tiny),
   * and at scale 1e-8 the float64 twin is itself only good to a relative 1e-7 (its 54 bisection
   * steps resolve tau to 2^-54 absolute, against z - tau ~ 1e-9; the kernel's Halley iterations
   * stop at a relative 4 eps).
   */
  private static void twin(Op op, double[] x, int rows, int cols, Random r, boolean f64,
      Family bisect, String what) {
    try (TestGraph g = new TestGraph()) {
      Operand<?> in = f64 ? g.input(x, rows, cols) : g.input32(x, rows, cols);
      int[] y = RandomValues.labels(r, rows, cols);
      Operand<TInt32> labels = g.labels(y, rows);
      Operand<TFloat64> fused = toF64(g, build(g, op, in, labels));
      Operand<TFloat64> composite;
      try (var portable = Kernels.portable()) {
        composite = toF64(g, build(g, op, bisect != null ? toF64(g, in) : in, labels));
      }
      assertFalse(g.opTypes("Beyond").isEmpty(), what + ": no fused kernel in the graph");
      double[] dy = RandomValues.gaussian(r, (int) fused.shape().size(), 1);
      Operand<TFloat64> w = g.input(dy, fused.shape().asArray());
      List<Operand<?>> fetch = new ArrayList<>(List.of(fused, composite));
      fetch.add(g.grads(g.objective(fused, w), List.of(in)).get(0));
      fetch.add(g.grads(g.objective(composite, w), List.of(in)).get(0));
      List<double[]> out = g.run(fetch);
      double atol = f64 ? 1e-10 : 2e-5;
      double rtol = f64 ? (bisect == Family.TINY ? 1e-6 : 1e-9) : 2e-4;
      // log outputs of -inf entries: dy is not 0 there, but both gradients ignore y = -inf
      TestGraph.assertClose(what + ": y", out.get(1), out.get(0), atol, rtol);
      TestGraph.assertClose(what + ": dx", out.get(3), out.get(2), atol, rtol);
    }
  }

  @SuppressWarnings("unchecked")
  private static Operand<?> build(TestGraph g, Op op, Operand<?> in, Operand<TInt32> labels) {
    return op.apply(g.tf, (Operand<TFloating>) in, labels);
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat64> toF64(TestGraph g, Operand<?> y) {
    return y.type() == TFloat64.class ? (Operand<TFloat64>) y : g.tf.dtypes.cast(y, TFloat64.class);
  }

  @Test
  void lossOptionsAndNonLastAxis() {
    Random r = new Random(3);
    double[] x = Family.MASKED.data(r, 4, 15); // as [4, 3, 5] with classes on axis 1
    int[] y = new int[20];
    double[] w = new double[20];
    for (int i = 0; i < 20; i++) {
      y[i] = i % 7 == 6 ? 4 : r.nextInt(3); // 4: ignored
      w[i] = i % 5 == 0 ? 0 : r.nextDouble() * 2;
    }
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> in = g.input(x, 4, 3, 5);
      Operand<TInt32> labels = g.labels(y, 4, 5);
      Operand<TFloat64> weights = g.input(w, 4, 5);
      LossOptions opts = LossOptions.defaults().withAxis(1).withIgnoreLabel(4)
          .withWeights(weights).withReduction(Reduction.MEAN);
      Operand<TFloat64> v = g.input(new double[] {0.3, -0.2, 0.8, 0.1, -1}, 5);
      Supplier<List<Operand<TFloat64>>> ops = () -> List.of(
          Losses.sparsemaxLoss(g.tf, in, labels, opts), Losses.entmax15Loss(g.tf, in, labels, opts),
          Mappings.sigsoftmax(g.tf, in, 1), Mappings.entmax15(g.tf, in, 0),
          Losses.sigsoftmaxCrossEntropy(g.tf, in, labels, opts),
          Losses.plifCrossEntropy(g.tf, in, labels, v, 2.0, opts),
          Losses.entmaxBisectLoss(g.tf, in, labels, 1.3, opts),
          Mappings.entmaxBisect(g.tf, in, 1.7, 1), Mappings.entmaxBisect(g.tf, in, 2.5, 0));
      List<Operand<TFloat64>> fused = ops.get();
      List<Operand<TFloat64>> composite;
      try (var portable = Kernels.portable()) {
        composite = ops.get();
      }
      for (int i = 0; i < fused.size(); i++) {
        Operand<TFloat64> sum = g.tf.reduceSum(fused.get(i), g.tf.range(g.tf.constant(0), g.tf.rank(fused.get(i)), g.tf.constant(1)));
        Operand<TFloat64> sumC = g.tf.reduceSum(composite.get(i), g.tf.range(g.tf.constant(0), g.tf.rank(composite.get(i)), g.tf.constant(1)));
        List<double[]> out = g.run(List.of(fused.get(i), composite.get(i),
            g.grads(sum, List.of(in)).get(0), g.grads(sumC, List.of(in)).get(0)));
        TestGraph.assertClose("op " + i + " y", out.get(1), out.get(0), 1e-10, 1e-9);
        TestGraph.assertClose("op " + i + " dx", out.get(3), out.get(2), 1e-10, 1e-9);
      }
    }
  }

  @Test
  void supportSizeCountsThePositiveProbabilities() {
    Random r = new Random(5);
    for (Family f : Family.values()) {
      double[] x = f.data(r, 9, 50);
      for (Sparse mapping : Sparse.values()) {
        try (TestGraph g = new TestGraph()) {
          Operand<TFloat64> in = g.input(x, 9, 50);
          var th = new CpuKernels().thresholdAndSupport(g.tf, in, mapping);
          Operand<TFloat64> p;
          try (var portable = Kernels.portable()) {
            p = mapping == Sparse.SPARSEMAX ? Mappings.sparsemax(g.tf, in) : Mappings.entmax15(g.tf, in);
          }
          List<double[]> out = g.run(List.of(th.support(), p));
          for (int i = 0; i < 9; i++) {
            int count = 0;
            for (int j = 0; j < 50; j++) {
              count += out.get(1)[i * 50 + j] > 0 ? 1 : 0;
            }
            assertEquals(count, (int) out.get(0)[i], f + " " + mapping + " row " + i);
          }
        }
      }
    }
  }

  /**
   * Rows of thousands of candidates within a fraction of the maximum, as an untrained model's
   * logits are (the threshold's Newton steps then do the work the partition used to): the
   * kernel's probabilities and support sizes are the composite op's.
   */
  @Test
  void manyCloseCandidates() {
    Random r = new Random(11);
    int rows = 6;
    int cols = 5000;
    for (double spread : new double[] {0.01, 0.1, 0.5}) {
      double[] x = RandomValues.gaussian(r, rows * cols, spread);
      for (Sparse mapping : Sparse.values()) {
        try (TestGraph g = new TestGraph()) {
          Operand<TFloat64> in = g.input(x, rows, cols);
          Operand<TFloat64> native_ = mapping == Sparse.SPARSEMAX ? Mappings.sparsemax(g.tf, in) : Mappings.entmax15(g.tf, in);
          var th = new CpuKernels().thresholdAndSupport(g.tf, in, mapping);
          Operand<TFloat64> p;
          try (var portable = Kernels.portable()) {
            p = mapping == Sparse.SPARSEMAX ? Mappings.sparsemax(g.tf, in) : Mappings.entmax15(g.tf, in);
          }
          List<double[]> out = g.run(List.of(native_, p, th.support()));
          for (int i = 0; i < rows; i++) {
            int count = 0;
            for (int j = 0; j < cols; j++) {
              double expected = out.get(1)[i * cols + j];
              assertEquals(expected, out.get(0)[i * cols + j], 1e-12 + 1e-9 * expected,
                  mapping + " spread " + spread + " [" + i + ", " + j + "]");
              count += expected > 0 ? 1 : 0;
            }
            assertEquals(count, (int) out.get(2)[i], mapping + " spread " + spread + " row " + i + ": support");
          }
        }
      }
    }
  }

  static Stream<Arguments> plifCases() {
    return Stream.of(
        Arguments.of(1, 4.0, 5, 7, true), Arguments.of(7, 4.0, 5, 7, true),
        Arguments.of(1000, 20.0, 6, 9, true), Arguments.of(7, 0.3, 5, 7, false),
        Arguments.of(1000, 20.0, 6, 9, false), Arguments.of(7, 4.0, 64, 1200, true),
        Arguments.of(50_000, 20.0, 100, 2000, false), Arguments.of(50_000, 20.0, 100, 2000, true));
  }

  /** PLIF inputs: on knots, beyond +-T, within; x[3] = -inf. */
  private static double[] plifInput(Random r, int knots, double range, int rows, int cols) {
    double delta = 2 * range / knots;
    double[] x = new double[rows * cols];
    for (int i = 0; i < x.length; i++) {
      x[i] = switch (i % 11) {
        case 0 -> -range + r.nextInt(knots + 1) * delta; // on a knot
        case 1 -> range + 3 * r.nextDouble(); // beyond +T
        case 2 -> -range - 3 * r.nextDouble(); // below -T
        default -> range * r.nextGaussian() / 2;
      };
    }
    x[3] = Double.NEGATIVE_INFINITY;
    return x;
  }

  /** An op of two inputs of one floating dtype (float64 or float32). */
  interface Op2 {
    Operand<?> apply(Operand<TFloating> a, Operand<TFloating> b);
  }

  /**
   * op(a, b) built with the fused kernels and inside Kernels.portable() (in float64 when
   * compositeF64, see twin()), and the gradients of sum(w y) in a and b, all as float64:
   * [y fused, y composite, da fused, da composite, db fused, db composite].
   */
  private static List<double[]> twin2(TestGraph g, Op2 op, Operand<?> a, Operand<?> b,
      Operand<TFloat64> w, boolean compositeF64) {
    Operand<TFloat64> fused = toF64(g, apply(op, a, b));
    Operand<TFloat64> composite;
    try (var portable = Kernels.portable()) {
      composite = toF64(g, compositeF64 ? apply(op, toF64(g, a), toF64(g, b)) : apply(op, a, b));
    }
    assertFalse(g.opTypes("Beyond").isEmpty(), "no fused kernel in the graph");
    List<Operand<?>> gf = g.grads(g.objective(fused, w), List.of(a, b));
    List<Operand<?>> gc = g.grads(g.objective(composite, w), List.of(a, b));
    return g.run(List.of(fused, composite, gf.get(0), gc.get(0), gf.get(1), gc.get(1)));
  }

  @SuppressWarnings("unchecked")
  private static Operand<?> apply(Op2 op, Operand<?> a, Operand<?> b) {
    return op.apply((Operand<TFloating>) a, (Operand<TFloating>) b);
  }

  private static double maxAbs(double[] a) {
    double m = 0;
    for (double d : a) {
      m = Math.max(m, Math.abs(d));
    }
    return m;
  }

  @ParameterizedTest(name = "K={0} T={1} [{2}x{3}] float64={4}")
  @MethodSource("plifCases")
  void plifAgreesWithComposite(int knots, double range, int rows, int cols, boolean f64) {
    Random r = new Random(knots + rows);
    double[] x = plifInput(r, knots, range, rows, cols);
    double[] v = RandomValues.gaussian(r, knots, 1);
    try (TestGraph g = new TestGraph()) {
      Operand<?> xin = f64 ? g.input(x, rows, cols) : g.input32(x, rows, cols);
      Operand<?> vin = f64 ? g.input(v, knots) : g.input32(v, knots);
      double[] dy = RandomValues.gaussian(r, x.length, 1);
      dy[3] = 0;
      List<double[]> out = twin2(g, (a, b) -> Mappings.plif(g.tf, a, b, range),
          xin, vin, g.input(dy, rows, cols), false);
      assertTrue(g.opTypes("Beyond").contains("BeyondPlif"));
      assertPlifTwinsAgree("y", out, f64, f64 ? 1e-9 : 1e-4, f64 ? 1e-9 : 1e-4);
    }
  }

  /**
   * The fused PLIF cross-entropy against crossEntropy(plif(x)): losses, dx and dslopes_raw, with
   * a -inf entry, a fully masked row, a label at a -inf entry (loss +inf) and an ignored label.
   */
  @ParameterizedTest(name = "K={0} T={1} [{2}x{3}] float64={4}")
  @MethodSource("plifCases")
  void plifCrossEntropyAgreesWithComposite(int knots, double range, int rows, int cols, boolean f64) {
    Random r = new Random(knots + 7L * rows);
    double[] x = plifInput(r, knots, range, rows, cols);
    for (int j = 0; j < cols; j++) {
      x[cols + j] = Double.NEGATIVE_INFINITY; // row 1: all masked
    }
    double[] v = RandomValues.gaussian(r, knots, 1);
    int[] y = new int[rows];
    for (int i = 0; i < rows; i++) {
      y[i] = i == rows - 1 ? -1 : r.nextInt(cols);
    }
    y[0] = 3; // x[3] = -inf: loss +inf
    try (TestGraph g = new TestGraph()) {
      Operand<?> xin = f64 ? g.input(x, rows, cols) : g.input32(x, rows, cols);
      Operand<?> vin = f64 ? g.input(v, knots) : g.input32(v, knots);
      Operand<TInt32> labels = g.labels(y, rows);
      LossOptions opts = LossOptions.defaults().withIgnoreLabel(-1);
      double[] dy = RandomValues.gaussian(r, rows, 1);
      dy[0] = 0; // the +inf loss: its gradient is finite, but dy * inf is not
      List<double[]> out = twin2(g, (a, b) -> Losses.plifCrossEntropy(g.tf, a, labels, b, range, opts),
          xin, vin, g.input(dy, rows), false);
      assertTrue(g.opTypes("Beyond").contains("BeyondPlifCrossEntropy"));
      assertEquals(Double.POSITIVE_INFINITY, out.get(0)[0]);
      assertPlifTwinsAgree("loss", out, f64, f64 ? 1e-10 : 2e-5, f64 ? 1e-9 : 2e-4);
    }
  }

  /**
   * The outputs of {@link #twin2} for a PLIF op (inputs x and slopes_raw) agree: the op's value
   * ({@code name}) and dx within atol/rtol; dslopes_raw relative to its largest entry, since in
   * float32 the composite sums each knot's gradient in float32 (bincount), the kernel in float32 per
   * thread and float64 across knots.
   */
  private static void assertPlifTwinsAgree(String name, List<double[]> out, boolean f64, double atol, double rtol) {
    TestGraph.assertClose(name, out.get(1), out.get(0), atol, rtol);
    TestGraph.assertClose("dx", out.get(3), out.get(2), atol, rtol);
    double scale = maxAbs(out.get(5));
    TestGraph.assertClose("dslopes_raw", out.get(5), out.get(4), f64 ? 1e-9 * scale : 2e-3 * scale, rtol);
  }

  /**
   * alpha-entmax with one alpha per row (1 = softmax, 1.0001, 1.25, 1.5, 2 = sparsemax, 3, 7)
   * against the composite: p, dx and dalpha.
   */
  @ParameterizedTest(name = "{0} float64={1}")
  @MethodSource("alphaCases")
  void entmaxBisectAlphaPerRow(Family family, boolean f64) {
    double[] alphas = {1, 1.0001, 1.25, 1.5, 2, 3, 7};
    int rows = alphas.length * 2;
    int cols = 300;
    Random r = new Random(family.ordinal() + 17);
    double[] x = family.data(r, rows, cols);
    double[] a = new double[rows];
    for (int i = 0; i < rows; i++) {
      a[i] = alphas[i % alphas.length];
    }
    try (TestGraph g = new TestGraph()) {
      Operand<?> xin = f64 ? g.input(x, rows, cols) : g.input32(x, rows, cols);
      Operand<?> ain = f64 ? g.input(a, rows) : g.input32(a, rows);
      // the composite in float64 also for float32 input: see twin()
      List<double[]> out = twin2(g, (xs, as) -> Mappings.entmaxBisect(g.tf, xs, as, -1),
          xin, ain, g.input(RandomValues.gaussian(r, rows * cols, 1), rows, cols), true);
      assertTrue(g.opTypes("Beyond").contains("BeyondEntmaxBisect"));
      double atol = f64 ? 1e-9 : 3e-5;
      // at scale 1e-8 and alpha = 7 the float64 twin's p is off by a relative 4e-7 of the largest
      // (see twin(); thresholdIsExact checks the kernel there)
      double rtol = f64 ? (family == Family.TINY ? 2e-5 : 1e-8) : 3e-4;
      String what = family + " alphas " + java.util.Arrays.toString(alphas);
      TestGraph.assertClose(what + ": p", out.get(1), out.get(0), atol, rtol);
      TestGraph.assertClose(what + ": dx", out.get(3), out.get(2), atol, rtol);
      double[] dalpha = out.get(4);
      double[] expected = out.get(5);
      if (!f64) {
        // near alpha = 1 dalpha is the difference of two terms of order 1/(alpha - 1) computed from
        // p: with p rounded to float32 it keeps no digits at alpha = 1.0001; compare the others
        for (int i = 1; i < rows; i += alphas.length) {
          dalpha[i] = expected[i] = 0;
        }
      }
      TestGraph.assertClose(what + ": dalpha", expected, dalpha, atol * 10, rtol * 10);
    }
  }

  /**
   * The kernel's threshold where the composite's bisection is too coarse to check it (scale 1e-8,
   * alpha up to 7): p against a plain-Java bisection run until its bracket is two adjacent
   * doubles, within a relative 1e-10 of the row's largest p (the composite: 4e-7 at alpha = 7;
   * what is left is z - tau rounded, where p = (z - tau)^(1/6) is steep).
   */
  @Test
  void thresholdIsExact() {
    Random r = new Random(23);
    int cols = 200;
    double[] alphas = {1.25, 1.5, 3, 7};
    double[] x = new double[alphas.length * cols];
    for (int i = 0; i < x.length; i++) {
      x[i] = 2e-8 * r.nextGaussian();
    }
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> in = g.input(x, alphas.length, cols);
      double[] p = g.run(Mappings.entmaxBisect(g.tf, in, g.input(alphas, alphas.length), -1));
      for (int row = 0; row < alphas.length; row++) {
        double[] z = new double[cols];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < cols; j++) {
          max = Math.max(max, x[row * cols + j]);
        }
        for (int j = 0; j < cols; j++) {
          z[j] = (alphas[row] - 1) * (x[row * cols + j] - max);
        }
        double k = 1 / (alphas[row] - 1);
        double lo = -1;
        double hi = 0;
        while (Math.nextUp(lo) < hi) {
          double mid = lo + (hi - lo) / 2;
          if (mid <= lo || mid >= hi) {
            break;
          }
          double mass = 0;
          for (double v : z) {
            mass += v > mid ? Math.pow(v - mid, k) : 0;
          }
          if (mass >= 1) {
            lo = mid;
          } else {
            hi = mid;
          }
        }
        double[] expected = new double[cols];
        double sum = 0;
        for (int j = 0; j < cols; j++) {
          expected[j] = z[j] > lo ? Math.pow(z[j] - lo, k) : 0;
          sum += expected[j];
        }
        double largest = 0;
        for (int j = 0; j < cols; j++) {
          expected[j] /= sum;
          largest = Math.max(largest, expected[j]);
        }
        double[] got = java.util.Arrays.copyOfRange(p, row * cols, (row + 1) * cols);
        TestGraph.assertClose("alpha " + alphas[row], expected, got, 1e-10 * largest, 0);
      }
    }
  }

  static Stream<Arguments> alphaCases() {
    List<Arguments> args = new ArrayList<>();
    for (Family f : Family.values()) {
      for (boolean f64 : new boolean[] {true, false}) {
        args.add(Arguments.of(f, f64));
      }
    }
    return args.stream();
  }
}
