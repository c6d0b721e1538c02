package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/** Reductions, ignored labels, weights, masks and dtypes of the losses; cross-entropy trains. */
class LossesTest {
  interface Loss {
    Operand<TFloat64> build(TestGraph g, Operand<TFloat64> x, Operand<TInt32> y, LossOptions o);
  }

  static Stream<Arguments> losses() {
    return Stream.of(
        Arguments.of("crossEntropy", (Loss) (g, x, y, o) -> Losses.crossEntropy(g.tf, x, y, o)),
        Arguments.of("sparsemaxLoss", (Loss) (g, x, y, o) -> Losses.sparsemaxLoss(g.tf, x, y, o)),
        Arguments.of("entmax15Loss", (Loss) (g, x, y, o) -> Losses.entmax15Loss(g.tf, x, y, o)),
        Arguments.of("entmaxBisectLoss", (Loss) (g, x, y, o) -> Losses.entmaxBisectLoss(g.tf, x, y, 1.7, o)),
        Arguments.of("topKSoftmaxLoss", (Loss) (g, x, y, o) -> Losses.topKSoftmaxLoss(g.tf, x, y, 2, o)),
        Arguments.of("taylorCrossEntropy", (Loss) (g, x, y, o) -> Losses.taylorCrossEntropy(g.tf, x, y, 2, o)));
  }

  private static final double[] X = {
    0.5, -1.0, 2.0, 0.1,
    1.5, Double.NEGATIVE_INFINITY, -0.3, 0.8,
    Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY,
    -2.0, 0.0, 0.4, 3.0
  };
  private static final int[] Y = {2, 0, 1, 3};

  @ParameterizedTest(name = "{0}")
  @MethodSource("losses")
  void reductionsIgnoreAndWeights(String name, Loss loss) {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> x = g.input(X, 4, 4);
      Operand<TInt32> y = g.labels(Y, 4);
      Operand<TFloat64> w = g.input(new double[] {0.5, 2.0, 1.0, 3.0}, 4);
      LossOptions d = LossOptions.defaults();
      List<double[]> out = g.run(List.of(
          loss.build(g, x, y, d),
          loss.build(g, x, y, d.withReduction(Reduction.SUM)),
          loss.build(g, x, y, d.withReduction(Reduction.MEAN)),
          loss.build(g, x, y, d.withIgnoreLabel(3)),
          loss.build(g, x, y, d.withIgnoreLabel(3).withWeights(w).withReduction(Reduction.MEAN))));
      double[] per = out.get(0);
      for (double v : per) {
        assertTrue(Double.isFinite(v) && v >= -1e-12, name + ": per-example loss " + v);
      }
      assertEquals(0.0, per[2], name + ": fully masked row gives 0");
      assertEquals(per[0] + per[1] + per[3], out.get(1)[0], 1e-12, name + ": SUM");
      assertEquals((per[0] + per[1] + per[3]) / 3, out.get(2)[0], 1e-12, name + ": MEAN skips the masked row");
      assertEquals(0.0, out.get(3)[3], name + ": ignored label");
      assertEquals(per[0], out.get(3)[0], 1e-12);
      assertEquals((0.5 * per[0] + 2.0 * per[1]) / 2.5, out.get(4)[0], 1e-12, name + ": weighted mean");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("losses")
  void masksGiveNoNanAndZeroGradient(String name, Loss loss) {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> x = g.input(X, 4, 4);
      Operand<TInt32> y = g.labels(Y, 4);
      Operand<TFloat64> l = loss.build(g, x, y, LossOptions.defaults().withReduction(Reduction.SUM));
      double[] grad = g.run(g.tf.gradients(l, List.of(x)).dy(0));
      for (int i = 0; i < grad.length; i++) {
        assertTrue(Double.isFinite(grad[i]), name + ": gradient " + grad[i]);
        if (Double.isInfinite(X[i])) {
          assertEquals(0.0, Math.abs(grad[i]), name + ": gradient at a masked logit");
        }
      }
    }
  }

  /** Logits of scale 1e8 and 1e-8: finite losses and gradients, the right limits. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("losses")
  void hugeAndTinyScales(String name, Loss loss) {
    double[] base = {0.5, -1.0, 2.0, 0.1, 1.5, 0.2, -0.3, 0.8};
    int[] labels = {2, 1}; // row 0: the argmax; row 1: 1.3 below it
    for (double scale : new double[] {1e8, 1e-8}) {
      double[] x = java.util.Arrays.stream(base).map(v -> v * scale).toArray();
      try (TestGraph g = new TestGraph()) {
        Operand<TFloat64> in = g.input(x, 2, 4);
        Operand<TFloat64> l = loss.build(g, in, g.labels(labels, 2), LossOptions.defaults());
        List<double[]> out = g.run(List.of(l, g.tf.gradients(
            g.tf.reduceSum(l, g.tf.constant(0)), List.of(in)).dy(0)));
        for (double v : out.get(1)) {
          assertTrue(Double.isFinite(v), name + " at " + scale + ": gradient " + v);
        }
        assertTrue(Double.isFinite(out.get(0)[0]) && Double.isFinite(out.get(0)[1]), name + " loss");
        // Taylor's polynomial is not scale-sharpening: only finiteness is asked of it
        if (scale > 1 && !name.startsWith("taylor")) {
          assertEquals(0.0, out.get(0)[0], 1e-6, name + ": the label is the argmax, loss -> 0");
          assertTrue(out.get(0)[1] > 1e7, name + ": a wrong argmax costs ~ the logit gap");
        }
      }
    }
  }

  @Test
  void labelOnAMaskedLogitIsInfinite() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> x = g.input(new double[] {0.5, Double.NEGATIVE_INFINITY, 1.0}, 1, 3);
      double[] l = g.run(Losses.crossEntropy(g.tf, x, g.labels(new int[] {1}, 1)));
      assertEquals(Double.POSITIVE_INFINITY, l[0]);
    }
  }

  /** Half-precision logits are computed in float32 and come back in their own dtype. */
  @Test
  void halfPrecision() {
    double[] x = {0.5, -1.0, 2.0, 0.1, 1.5, -0.7};
    for (Class<? extends org.tensorflow.types.family.TFloating> type : List.of(TFloat16.class, TBfloat16.class, TFloat32.class)) {
      try (TestGraph g = new TestGraph()) {
        Operand<TFloat64> in = g.input(x, 2, 3);
        Function<Operand<? extends org.tensorflow.types.family.TFloating>, Operand<TFloat64>> back =
            o -> g.tf.dtypes.cast(o, TFloat64.class);
        var xh = g.tf.dtypes.cast(in, type);
        var p = Mappings.entmax15(g.tf, xh);
        var l = Losses.sparsemaxLoss(g.tf, xh, g.labels(new int[] {2, 0}, 2));
        assertEquals(type, p.type());
        assertEquals(type, l.type());
        double tol = type == TFloat32.class ? 1e-6 : 2e-2;
        TestGraph.assertClose("entmax15 " + type.getSimpleName(), g.run(Mappings.entmax15(g.tf, in)), g.run(back.apply(p)), tol, tol);
        TestGraph.assertClose("sparsemaxLoss " + type.getSimpleName(),
            g.run(Losses.sparsemaxLoss(g.tf, in, g.labels(new int[] {2, 0}, 2))), g.run(back.apply(l)), tol, tol);
      }
    }
  }

  /** Plain gradient descent on the logits with cross-entropy moves the loss down to ~0. */
  @Test
  void crossEntropyTrains() {
    try (TestGraph g = new TestGraph()) {
      Placeholder<TFloat32> x = g.tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(3, 5)));
      var labels = g.labels(new int[] {4, 0, 2}, 3);
      var loss = Losses.crossEntropy(g.tf, x, labels, LossOptions.defaults().withReduction(Reduction.MEAN));
      var grad = g.tf.gradients(loss, List.of(x)).dy(0);
      float[] v = new float[15];
      double first = -1;
      double last = -1;
      try (var s = new org.tensorflow.Session(g.graph)) {
        for (int step = 0; step < 200; step++) {
          try (TFloat32 t = TFloat32.tensorOf(Shape.of(3, 5), org.tensorflow.ndarray.buffer.DataBuffers.of(v, true, false));
               var r = s.runner().feed(x, t).feed(labels, TInt32.tensorOf(Shape.of(3), org.tensorflow.ndarray.buffer.DataBuffers.of(new int[] {4, 0, 2}, true, false))).fetch(loss).fetch(grad).run()) {
            double l = TestGraph.toDoubles(r.get(0))[0];
            double[] gr = TestGraph.toDoubles(r.get(1));
            if (step == 0) {
              first = l;
            }
            last = l;
            for (int i = 0; i < 15; i++) {
              v[i] -= (float) (2.0 * gr[i]);
            }
          }
        }
      }
      assertEquals(Math.log(5), first, 1e-6);
      assertTrue(last < 0.05, "loss after training " + last);
    }
  }
}
