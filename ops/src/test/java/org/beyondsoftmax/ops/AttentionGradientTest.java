package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.beyondsoftmax.ops.AttentionFixtures.Layout;
import org.beyondsoftmax.ops.AttentionFixtures.Normaliser;
import org.beyondsoftmax.ops.testing.RandomValues;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;

/**
 * Finite differences in float64 against tf.gradients for every attention normaliser, in the
 * scores and in the per-head α or s, on rank 2 and rank 4 scores (keys last, and keys on axis 2)
 * with a boolean mask, -inf scores and a fully masked row; masked keys must get weight 0 and
 * gradient exactly 0, and the fully masked row weights 0.
 */
class AttentionGradientTest {
  private static final double EPS = 1e-6;
  private static final double ATOL = 1e-6;
  private static final double RTOL = 1e-5;

  static Stream<Arguments> cases() {
    List<Layout> layouts = List.of(
        AttentionFixtures.rank2(), AttentionFixtures.rank4(), AttentionFixtures.rank4KeysOnAxis2());
    return Stream.of(Normaliser.values())
        .flatMap(n -> layouts.stream().map(l -> Arguments.of(n, l)));
  }

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("cases")
  void gradientsMatchFiniteDifferences(Normaliser n, Layout layout) {
    double[] x = layout.scores(31 + n.ordinal(), 1.5);
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> in = g.input(x, layout.shape());
      Operand<TFloat64> p = AttentionFixtures.param(g, n, layout);
      Operand<TFloat64> y = n.apply(g.tf, in, layout.mask(g.tf), p, layout.axis());
      assertEquals(org.tensorflow.ndarray.Shape.of(layout.shape()), y.shape(), "shape of y");
      Random r = new Random(5);
      double[] dy = RandomValues.gaussian(r, x.length, 1);
      Operand<TFloat64> dyIn = g.input(dy, layout.shape());
      List<Operand<TFloat64>> wrt = new ArrayList<>(List.of(in));
      List<String> names = new ArrayList<>(List.of("dscores"));
      if (p != null) {
        wrt.add(p);
        names.add(n.param == AttentionFixtures.Param.ALPHA ? "dalpha" : "ds");
      }
      List<double[]> grads = g.assertGradients(g.objective(y, dyIn), wrt, names, EPS, ATOL, RTOL);
      double[] yv = g.run(y);
      double[] dx = grads.get(0);
      int masked = 0;
      for (int i = 0; i < x.length; i++) {
        if (layout.masked(x, i)) {
          masked++;
          assertEquals(0.0, Math.abs(yv[i]), n + ": weight of masked key " + i);
          assertEquals(0.0, Math.abs(dx[i]), n + ": gradient at masked key " + i);
        }
      }
      assertTrue(masked > layout.shape()[layout.keyAxis()], "the layout masks a row and more");
      for (double[] grad : grads) {
        for (double v : grad) {
          assertTrue(Double.isFinite(v), n + ": gradient " + v);
        }
      }
    }
  }
}
