package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.beyondsoftmax.ops.AttentionFixtures.Layout;
import org.beyondsoftmax.ops.AttentionFixtures.Normaliser;
import org.beyondsoftmax.ops.AttentionFixtures.Param;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * Properties of the attention normalisers on seeded random scores with masks: agreement with
 * plain-Java formulas, per-head parameters acting per head, rows summing to 1 (softmax, sparsemax,
 * entmax, ssmax) or lying in [0, 1] (softpick, sigmoid), masking = truncation, fully masked
 * inputs, scales 1e8 and 1e-8 in float64 and float32, unknown shapes and half precision.
 */
class AttentionPropertiesTest {
  private static final List<Layout> LAYOUTS = List.of(
      AttentionFixtures.rank2(), AttentionFixtures.rank4(), AttentionFixtures.rank4KeysOnAxis2());

  /** The weights of n on the layout's masked scores x (float64). */
  private static double[] eval(Normaliser n, Layout layout, double[] x) {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> y = n.apply(g.tf, g.input(x, layout.shape()), layout.mask(g.tf),
          AttentionFixtures.param(g, n, layout), layout.axis());
      return g.run(y);
    }
  }

  static Stream<Arguments> withPlainJavaFormula() {
    return Stream.of(Normaliser.values())
        .filter(n -> n != Normaliser.ENTMAX_13 && n != Normaliser.ENTMAX_PER_HEAD)
        .flatMap(n -> LAYOUTS.stream().map(l -> Arguments.of(n, l)));
  }

  /** Every row against the formula computed in plain Java over the row's unmasked keys. */
  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("withPlainJavaFormula")
  void agreesWithPlainJava(Normaliser n, Layout layout) {
    double[] x = layout.scores(17, 2.0);
    double[] p = eval(n, layout, x);
    double[] params = n.param == Param.NONE ? null : n.paramValues(layout.paramSize());
    for (int[] row : layout.rows()) {
      List<Integer> keys = new ArrayList<>();
      for (int j : row) {
        if (!layout.masked(x, j)) {
          keys.add(j);
        }
      }
      double[] z = keys.stream().mapToDouble(j -> x[j]).toArray();
      double s = n == Normaliser.SSMAX_07 ? 0.7
          : params == null ? 0 : params[layout.broadcastIndex(row[0], layout.paramShape())];
      double[] expected = switch (n) {
        case SOFTMAX -> softmax(z, 1);
        case SSMAX_07, SSMAX_PER_HEAD -> softmax(z, s * Math.log(z.length));
        case SPARSEMAX -> z.length == 0 ? z : SortReference.sparsemax(z);
        case ENTMAX_15 -> z.length == 0 ? z : SortReference.entmax15(z);
        case SOFTPICK -> softpick(z, AttentionNormalisers.SOFTPICK_EPS);
        case SIGMOID -> Arrays.stream(z).map(v -> 1 / (1 + Math.exp(Math.log(z.length) - v))).toArray();
        default -> throw new AssertionError(n);
      };
      for (int j : row) {
        double want = keys.contains(j) ? expected[keys.indexOf(j)] : 0;
        assertEquals(want, p[j], 1e-12 + 1e-9 * want, n + " at " + j);
      }
    }
  }

  private static double[] softmax(double[] z, double scale) {
    double m = Arrays.stream(z).map(v -> v * scale).max().orElse(0);
    double[] e = Arrays.stream(z).map(v -> Math.exp(v * scale - m)).toArray();
    double sum = Arrays.stream(e).sum();
    return Arrays.stream(e).map(v -> v / sum).toArray();
  }

  private static double[] softpick(double[] z, double eps) {
    double den = Arrays.stream(z).map(v -> Math.abs(Math.expm1(v))).sum() + eps;
    return Arrays.stream(z).map(v -> Math.max(Math.expm1(v), 0) / den).toArray();
  }

  /**
   * α or s per head gives on each head what the constant α_h or s_h gives; α = 1.5 per head by
   * bisection gives the exact sort-based 1.5-entmax.
   */
  @Test
  void perHeadParametersActPerHead() {
    Layout layout = AttentionFixtures.rank4();
    double[] x = layout.scores(23, 1.5);
    for (Normaliser n : List.of(Normaliser.ENTMAX_PER_HEAD, Normaliser.SSMAX_PER_HEAD)) {
      double[] values = n.paramValues(layout.paramSize());
      double[] perHead = eval(n, layout, x);
      for (int h = 0; h < values.length; h++) {
        double v = values[h];
        double[] constant;
        try (TestGraph g = new TestGraph()) {
          var in = g.input(x, layout.shape());
          constant = g.run(n == Normaliser.SSMAX_PER_HEAD
              ? AttentionNormalisers.ssmax(g.tf, in, layout.mask(g.tf), v)
              : AttentionNormalisers.entmax(g.tf, in, layout.mask(g.tf), v));
        }
        for (int i = 0; i < x.length; i++) {
          if (AttentionFixtures.coordinates(i, layout.shape())[1] == h) {
            assertEquals(constant[i], perHead[i], 1e-9, n + " head " + h);
          }
        }
      }
    }
    try (TestGraph g = new TestGraph()) {
      var in = g.input(x, layout.shape());
      var alpha = g.input(new double[] {1.5, 1.5, 1.5}, 3, 1, 1);
      List<double[]> out = g.run(List.of(
          AttentionNormalisers.entmax(g.tf, in, layout.mask(g.tf), alpha),
          AttentionNormalisers.entmax(g.tf, in, layout.mask(g.tf), 1.5)));
      TestGraph.assertClose("alpha 1.5 per head vs exact 1.5-entmax", out.get(1), out.get(0), 1e-12, 1e-9);
    }
  }

  /** Rows sum to 1 or lie in [0, 1], at three scales; masked keys and rows without keys get 0. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Normaliser.class)
  void rowsSumToOneOrLieInUnitInterval(Normaliser n) {
    Layout layout = AttentionFixtures.rank4();
    for (double scale : new double[] {0.3, 2.0, 10.0}) {
      double[] x = layout.scores(41 + (long) scale, scale);
      checkRows(n, layout, x, eval(n, layout, x), 1e-12, n + " at scale " + scale);
    }
  }

  /** Row sums 1 (or in [0, 1] for softpick and sigmoid), weights in [0, 1], masked keys 0. */
  private static void checkRows(Normaliser n, Layout layout, double[] x, double[] p, double tol,
      String what) {
    for (int[] row : layout.rows()) {
      double sum = 0;
      boolean any = false;
      for (int j : row) {
        assertTrue(p[j] >= 0 && p[j] <= 1 + tol, what + ": weight " + p[j]);
        if (layout.masked(x, j)) {
          assertEquals(0.0, Math.abs(p[j]), what + ": masked key");
        } else {
          any = true;
        }
        sum += p[j];
      }
      if (n.sumsToOne && any) {
        assertEquals(1.0, sum, 1e-9 + tol, what + ": row sum");
      } else if (n == Normaliser.SOFTPICK || !any) {
        assertTrue(sum <= 1 + tol, what + ": row sum " + sum);
      }
    }
  }

  /** Masking keys (by the mask or by -inf) gives the weights of the rows without those keys. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Normaliser.class)
  void maskingEqualsTruncation(Normaliser n) {
    int m = 9;
    int[] drop = {2, 5, 7}; // 2 and 5 by the mask, 7 by -inf
    double[] x = PropertiesTest.random(3, 4 * m, 1.0);
    double[] masked = x.clone();
    boolean[] keep = new boolean[m];
    Arrays.fill(keep, true);
    keep[2] = keep[5] = false;
    double[] truncated = new double[4 * (m - drop.length)];
    for (int r = 0, t = 0; r < 4; r++) {
      masked[r * m + 7] = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < m; j++) {
        final int jj = j;
        if (Arrays.stream(drop).noneMatch(d -> d == jj)) {
          truncated[t++] = x[r * m + j];
        }
      }
    }
    Layout full = new Layout("masked", new long[] {4, m}, -1, new long[] {m}, keep, new int[0],
        new long[] {4, 1});
    Layout cut = new Layout("truncated", new long[] {4, m - drop.length}, -1, null, null,
        new int[0], new long[] {4, 1});
    double[] pm = eval(n, full, masked);
    double[] pt = eval(n, cut, truncated);
    for (int r = 0, t = 0; r < 4; r++) {
      for (int j = 0; j < m; j++) {
        final int jj = j;
        if (Arrays.stream(drop).anyMatch(d -> d == jj)) {
          assertEquals(0.0, Math.abs(pm[r * m + j]), n + ": masked key");
        } else {
          assertEquals(pt[t++], pm[r * m + j], 1e-12, n + ": kept key");
        }
      }
    }
  }

  /** Scores where every key is masked give weights 0 and gradients exactly 0, in both dtypes. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Normaliser.class)
  void fullyMaskedScoresGiveZeros(Normaliser n) {
    Layout layout = AttentionFixtures.rank4();
    double[] x = layout.scores(8, 1.0);
    for (int i = 0; i < x.length; i += 2) {
      x[i] = Double.NEGATIVE_INFINITY; // the rest is masked by the mask below
    }
    boolean[] none = new boolean[20];
    Layout dead = new Layout("dead", layout.shape(), -1, new long[] {4, 5}, none, new int[0],
        layout.paramShape());
    for (boolean float32 : new boolean[] {false, true}) {
      List<double[]> out = valuesAndGradients(n, dead, x, float32);
      for (double[] a : out) {
        for (double v : a) {
          assertEquals(0.0, Math.abs(v), n + (float32 ? " float32" : " float64"));
        }
      }
    }
  }

  /**
   * y, d sum(y w)/d scores and (if any) d sum(y w)/d parameter, w a fixed pattern, computed in
   * float32 or float64, returned as doubles.
   */
  private static List<double[]> valuesAndGradients(Normaliser n, Layout layout, double[] x,
      boolean float32) {
    try (TestGraph g = new TestGraph()) {
      double[] w = new double[x.length];
      for (int i = 0; i < w.length; i++) {
        w[i] = (i % 7) - 3.1;
      }
      double[] pv = n.param == Param.NONE ? null : n.paramValues(layout.paramSize());
      List<Operand<?>> wrt = new ArrayList<>();
      Operand<TFloat64> y;
      if (float32) {
        Operand<TFloat32> in = g.input32(x, layout.shape());
        Operand<TFloat32> p = pv == null ? null : g.input32(pv, layout.paramShape());
        y = g.tf.dtypes.cast(n.apply(g.tf, in, layout.mask(g.tf), p, layout.axis()), TFloat64.class);
        wrt.add(in);
        if (p != null) {
          wrt.add(p);
        }
      } else {
        Operand<TFloat64> in = g.input(x, layout.shape());
        Operand<TFloat64> p = pv == null ? null : g.input(pv, layout.paramShape());
        y = n.apply(g.tf, in, layout.mask(g.tf), p, layout.axis());
        wrt.add(in);
        if (p != null) {
          wrt.add(p);
        }
      }
      List<Operand<?>> fetch = new ArrayList<>(List.of(y));
      fetch.addAll(g.grads(g.objective(y, g.input(w, layout.shape())), wrt));
      return g.run(fetch);
    }
  }

  /**
   * Scores times 1e8 and 1e-8, in float64 and float32: no NaN in weights or gradients, and the
   * limits: at 1e8 softmax, sparsemax, entmax and ssmax put weight 1 on the row's largest score,
   * softpick too when it is positive (else 0), sigmoid gives 1 above 0 and 0 below; at 1e-8 the
   * normalisers that sum to 1 are uniform over the keys and sigmoid gives 1/(1 + n).
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Normaliser.class)
  void hugeAndTinyScales(Normaliser n) {
    Layout layout = AttentionFixtures.rank4();
    double[] base = layout.scores(13, 1.0);
    for (boolean float32 : new boolean[] {false, true}) {
      for (double scale : new double[] {1e8, 1e-8}) {
        double[] x = Arrays.stream(base).map(v -> v * scale).toArray();
        String what = n + (float32 ? " float32" : " float64") + " at scale " + scale;
        List<double[]> out = valuesAndGradients(n, layout, x, float32);
        for (double[] a : out) {
          for (double v : a) {
            assertTrue(Double.isFinite(v), what + ": " + v);
          }
        }
        double[] p = out.get(0);
        double tol = float32 ? 1e-5 : 1e-9;
        checkRows(n, layout, x, p, tol, what);
        checkLimits(n, layout, base, p, scale, tol, what);
      }
    }
  }

  private static void checkLimits(Normaliser n, Layout layout, double[] base, double[] p,
      double scale, double tol, String what) {
    for (int[] row : layout.rows()) {
      int[] keys = Arrays.stream(row).filter(j -> !layout.masked(base, j)).toArray();
      if (keys.length == 0) {
        continue;
      }
      int arg = keys[0];
      for (int j : keys) {
        arg = base[j] > base[arg] ? j : arg;
      }
      for (int j : keys) {
        double want;
        if (scale > 1) {
          want = switch (n) {
            case SIGMOID -> base[j] > 0 ? 1 : 0;
            case SOFTPICK -> j == arg && base[j] > 0 ? 1 : 0;
            default -> j == arg ? 1 : 0;
          };
        } else {
          want = switch (n) {
            case SIGMOID -> 1.0 / (1 + keys.length);
            case SOFTPICK -> p[j]; // tiny e^z - 1 against eps: only the range is checked
            default -> 1.0 / keys.length;
          };
        }
        assertEquals(want, p[j], Math.max(tol, 1e-6), what + " at " + j);
      }
    }
  }

  /** Scores of unknown shape give the weights of scores of known shape (scalar parameters). */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Normaliser.class)
  void unknownShapeMatchesKnownShape(Normaliser n) {
    if (n == Normaliser.ENTMAX_PER_HEAD) {
      return; // a tensor alpha needs a known rank (AttentionBadInputTest)
    }
    double[] x = AttentionFixtures.rank4().scores(29, 1.5);
    long[] shape = AttentionFixtures.rank4().shape();
    try (TestGraph g = new TestGraph()) {
      Operand<TBool> mask = AttentionFixtures.rank4().mask(g.tf);
      Operand<TFloat64> p = n.param == Param.NONE ? null : g.tf.constant(0.9);
      List<double[]> out = g.run(List.of(
          n.apply(g.tf, g.inputUnknownShape(x, shape), mask, p, -1),
          n.apply(g.tf, g.input(x, shape), mask, p, -1)));
      TestGraph.assertClose(n + " unknown shape", out.get(1), out.get(0), 0, 0);
    }
  }

  /** float16 scores are computed in float32 and come back as float16 close to float64. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Normaliser.class)
  void halfPrecision(Normaliser n) {
    Layout layout = AttentionFixtures.rank4();
    double[] x = layout.scores(37, 1.0);
    try (TestGraph g = new TestGraph()) {
      Ops tf = g.tf;
      Operand<TFloat64> in = g.input(x, layout.shape());
      Operand<TFloat64> p = AttentionFixtures.param(g, n, layout);
      Operand<TFloat16> half = n.apply(tf, tf.dtypes.cast(in, TFloat16.class), layout.mask(tf),
          p == null ? null : tf.dtypes.cast(p, TFloat16.class), layout.axis());
      assertEquals(TFloat16.class, half.type());
      List<double[]> out = g.run(List.of(tf.dtypes.cast(half, TFloat64.class),
          n.apply(tf, in, layout.mask(tf), p, layout.axis())));
      TestGraph.assertClose(n + " float16", out.get(1), out.get(0), 3e-3, 3e-3);
    }
  }
}
