package org.beyondsoftmax.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.beyondsoftmax.ops.Kernels;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.beyondsoftmax.ops.NativeKernels.Sparse;
import org.beyondsoftmax.ops.Reduction;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
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
      double[] x = new double[rows * cols];
      for (int i = 0; i < x.length; i++) {
        x[i] = 2 * r.nextGaussian();
      }
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

  /** A mapping or a per-example loss over logits of the given dtype. */
  interface Op {
    <T extends TFloating> Operand<T> apply(Ops tf, Operand<T> x, Operand<TInt32> labels);
  }

  static Stream<Arguments> mappings() {
    List<Arguments> args = new ArrayList<>();
    record Named(String name, Op op) {}
    List<Named> ops = List.of(
        new Named("softmax", new Op() {
          public <T extends TFloating> Operand<T> apply(Ops tf, Operand<T> x, Operand<TInt32> l) {
            return Mappings.softmax(tf, x);
          }
        }),
        new Named("logSoftmax", new Op() {
          public <T extends TFloating> Operand<T> apply(Ops tf, Operand<T> x, Operand<TInt32> l) {
            return Mappings.logSoftmax(tf, x);
          }
        }),
        new Named("sigsoftmax", new Op() {
          public <T extends TFloating> Operand<T> apply(Ops tf, Operand<T> x, Operand<TInt32> l) {
            return Mappings.sigsoftmax(tf, x);
          }
        }),
        new Named("logSigsoftmax", new Op() {
          public <T extends TFloating> Operand<T> apply(Ops tf, Operand<T> x, Operand<TInt32> l) {
            return Mappings.logSigsoftmax(tf, x);
          }
        }),
        new Named("sparsemax", new Op() {
          public <T extends TFloating> Operand<T> apply(Ops tf, Operand<T> x, Operand<TInt32> l) {
            return Mappings.sparsemax(tf, x);
          }
        }),
        new Named("entmax15", new Op() {
          public <T extends TFloating> Operand<T> apply(Ops tf, Operand<T> x, Operand<TInt32> l) {
            return Mappings.entmax15(tf, x);
          }
        }),
        new Named("sparsemaxLoss", new Op() {
          public <T extends TFloating> Operand<T> apply(Ops tf, Operand<T> x, Operand<TInt32> l) {
            return Losses.sparsemaxLoss(tf, x, l);
          }
        }),
        new Named("entmax15Loss", new Op() {
          public <T extends TFloating> Operand<T> apply(Ops tf, Operand<T> x, Operand<TInt32> l) {
            return Losses.entmax15Loss(tf, x, l);
          }
        }));
    for (Named op : ops) {
      for (Family f : Family.values()) {
        for (boolean f64 : new boolean[] {true, false}) {
          args.add(Arguments.of(op.name(), op.op(), f, f64));
        }
      }
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{0} {2} float64={3}")
  @MethodSource("mappings")
  void agreesWithComposite(String name, Op op, Family family, boolean f64) {
    Random r = new Random(name.hashCode() * 31L + family.ordinal());
    for (int[] shape : new int[][] {{7, 33}, {40, 1700}}) { // the second runs on several threads
      twin(op, family.data(r, shape[0], shape[1]), shape[0], shape[1], r, f64,
          name + " " + family + " " + shape[0] + "x" + shape[1]);
    }
  }

  private static void twin(Op op, double[] x, int rows, int cols, Random r, boolean f64, String what) {
    try (TestGraph g = new TestGraph()) {
      Operand<?> in = f64 ? g.input(x, rows, cols) : g.input32(x, rows, cols);
      int[] y = new int[rows];
      for (int i = 0; i < rows; i++) {
        y[i] = r.nextInt(cols);
      }
      Operand<TInt32> labels = g.labels(y, rows);
      Operand<TFloat64> fused = toF64(g, build(g, op, in, labels));
      Operand<TFloat64> composite;
      try (var portable = Kernels.portable()) {
        composite = toF64(g, build(g, op, in, labels));
      }
      assertFalse(g.opTypes("Beyond").isEmpty(), what + ": no fused kernel in the graph");
      double[] dy = new double[(int) fused.shape().size()];
      for (int i = 0; i < dy.length; i++) {
        dy[i] = r.nextGaussian();
      }
      Operand<TFloat64> w = g.input(dy, fused.shape().asArray());
      List<Operand<?>> fetch = new ArrayList<>(List.of(fused, composite));
      fetch.add(g.grads(g.objective(fused, w), List.of(in)).get(0));
      fetch.add(g.grads(g.objective(composite, w), List.of(in)).get(0));
      List<double[]> out = g.run(fetch);
      double atol = f64 ? 1e-10 : 2e-5;
      double rtol = f64 ? 1e-9 : 2e-4;
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
      List<Operand<TFloat64>> fused = List.of(
          Losses.sparsemaxLoss(g.tf, in, labels, opts), Losses.entmax15Loss(g.tf, in, labels, opts),
          Mappings.sigsoftmax(g.tf, in, 1), Mappings.entmax15(g.tf, in, 0));
      List<Operand<TFloat64>> composite;
      try (var portable = Kernels.portable()) {
        composite = List.of(
            Losses.sparsemaxLoss(g.tf, in, labels, opts), Losses.entmax15Loss(g.tf, in, labels, opts),
            Mappings.sigsoftmax(g.tf, in, 1), Mappings.entmax15(g.tf, in, 0));
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

  static Stream<Arguments> plifCases() {
    return Stream.of(
        Arguments.of(1, 4.0, 5, 7, true), Arguments.of(7, 4.0, 5, 7, true),
        Arguments.of(1000, 20.0, 6, 9, true), Arguments.of(7, 0.3, 5, 7, false),
        Arguments.of(1000, 20.0, 6, 9, false), Arguments.of(7, 4.0, 64, 1200, true),
        Arguments.of(50_000, 20.0, 100, 2000, false), Arguments.of(50_000, 20.0, 100, 2000, true));
  }

  @ParameterizedTest(name = "K={0} T={1} [{2}x{3}] float64={4}")
  @MethodSource("plifCases")
  void plifAgreesWithComposite(int knots, double range, int rows, int cols, boolean f64) {
    Random r = new Random(knots + rows);
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
    double[] v = new double[knots];
    for (int i = 0; i < knots; i++) {
      v[i] = r.nextGaussian();
    }
    try (TestGraph g = new TestGraph()) {
      Operand<?> xin = f64 ? g.input(x, rows, cols) : g.input32(x, rows, cols);
      Operand<?> vin = f64 ? g.input(v, knots) : g.input32(v, knots);
      BiFunction<Operand<?>, Operand<?>, Operand<TFloat64>> plif = (a, b) -> f64
          ? Mappings.plif(g.tf, cast64(a), cast64(b), range)
          : g.tf.dtypes.cast(Mappings.plif(g.tf, cast32(a), cast32(b), range), TFloat64.class);
      Operand<TFloat64> fused = plif.apply(xin, vin);
      Operand<TFloat64> composite;
      try (var portable = Kernels.portable()) {
        composite = plif.apply(xin, vin);
      }
      assertTrue(g.opTypes("Beyond").contains("BeyondPlif"));
      double[] dy = new double[x.length];
      for (int i = 0; i < dy.length; i++) {
        dy[i] = i == 3 ? 0 : r.nextGaussian();
      }
      Operand<TFloat64> w = g.input(dy, rows, cols);
      List<Operand<?>> gf = g.grads(g.objective(fused, w), List.of(xin, vin));
      List<Operand<?>> gc = g.grads(g.objective(composite, w), List.of(xin, vin));
      List<double[]> out = g.run(List.of(fused, composite, gf.get(0), gc.get(0), gf.get(1), gc.get(1)));
      double atol = f64 ? 1e-9 : 1e-4;
      double rtol = f64 ? 1e-9 : 1e-4;
      TestGraph.assertClose("y", out.get(1), out.get(0), atol, rtol);
      TestGraph.assertClose("dx", out.get(3), out.get(2), atol, rtol);
      // float32: the composite sums each knot's gradient in float32 (bincount), the kernel in
      // float32 per thread and float64 across knots: compare relative to the largest entry
      double scale = 0;
      for (double d : out.get(5)) {
        scale = Math.max(scale, Math.abs(d));
      }
      TestGraph.assertClose("dslopes_raw", out.get(5), out.get(4), f64 ? 1e-9 * scale : 2e-3 * scale, rtol);
    }
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat64> cast64(Operand<?> o) {
    return (Operand<TFloat64>) o;
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> cast32(Operand<?> o) {
    return (Operand<TFloat32>) o;
  }
}
