package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.beyondsoftmax.ops.testing.RandomValues;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat64;

/** Properties of the probability mappings on seeded random inputs. */
class PropertiesTest {
  private static final int ROWS = 16;
  private static final int M = 9;

  interface Map extends BiFunction<Ops, Operand<TFloat64>, Operand<TFloat64>> {}

  static Stream<Arguments> all() {
    return Stream.of(
        Arguments.of("softmax", (Map) Mappings::softmax, true, false),
        Arguments.of("sigsoftmax", (Map) Mappings::sigsoftmax, false, false),
        Arguments.of("sparsemax", (Map) Mappings::sparsemax, true, true),
        Arguments.of("entmax15", (Map) Mappings::entmax15, true, true),
        Arguments.of("entmaxBisect1.5", (Map) (tf, x) -> Mappings.entmaxBisect(tf, x, 1.5), true, true),
        Arguments.of("entmaxBisect2", (Map) (tf, x) -> Mappings.entmaxBisect(tf, x, 2.0), true, true),
        Arguments.of("entmaxBisect1.2", (Map) (tf, x) -> Mappings.entmaxBisect(tf, x, 1.2), true, false),
        Arguments.of("taylor2", (Map) (tf, x) -> Mappings.taylorSoftmax(tf, x, 2), false, false),
        Arguments.of("taylor6", (Map) (tf, x) -> Mappings.taylorSoftmax(tf, x, 6), false, false),
        Arguments.of("topK3", (Map) (tf, x) -> Mappings.topKSoftmax(tf, x, 3), true, false));
  }

  static double[] random(long seed, int n, double scale) {
    return RandomValues.gaussian(new Random(seed), n, scale);
  }

  static double[] eval(Map f, double[] x, long rows, long cols) {
    try (TestGraph g = new TestGraph()) {
      return g.run(f.apply(g.tf, g.input(x, rows, cols)));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("all")
  void simplexShiftAndOrder(String name, Map f, boolean shiftInvariant, boolean lipschitz) {
    for (double scale : new double[] {0.3, 2.0, 10.0}) {
      double[] x = random(name.hashCode() + (long) scale, ROWS * M, scale);
      double[] p = eval(f, x, ROWS, M);
      for (int r = 0; r < ROWS; r++) {
        double sum = 0;
        for (int j = 0; j < M; j++) {
          double pj = p[r * M + j];
          assertTrue(pj >= 0, name + ": negative probability " + pj);
          sum += pj;
          for (int i = 0; i < M; i++) {
            double zi = x[r * M + i];
            double zj = x[r * M + j];
            double pi = p[r * M + i];
            // Taylor's f is increasing only above its minimum (x = -1 for order 2, lower for more)
            boolean monotoneRegion = !name.startsWith("taylor") || zi >= -1;
            if (zj >= zi && monotoneRegion) {
              assertTrue(pj >= pi - 1e-12, name + ": order not preserved");
              if (lipschitz) {
                assertTrue(pj - pi <= zj - zi + 1e-12, name + ": p_j - p_i > z_j - z_i");
              }
            }
          }
        }
        assertEquals(1.0, sum, 1e-9, name + ": row sum");
      }
      if (shiftInvariant) {
        double[] shifted = x.clone();
        for (int i = 0; i < shifted.length; i++) {
          shifted[i] += 7.25;
        }
        TestGraph.assertClose(name + " shifted", p, eval(f, shifted, ROWS, M), 1e-9, 1e-9);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("all")
  void maskingEqualsTruncation(String name, Map f, boolean shiftInvariant, boolean lipschitz) {
    double[] x = random(3, 4 * M, 1.0);
    double[] masked = x.clone();
    int[] drop = {2, 5, 7};
    for (int r = 0; r < 4; r++) {
      for (int d : drop) {
        masked[r * M + d] = Double.NEGATIVE_INFINITY;
      }
    }
    int kept = M - drop.length;
    double[] truncated = new double[4 * kept];
    for (int r = 0, t = 0; r < 4; r++) {
      for (int j = 0; j < M; j++) {
        final int jj = j;
        if (Arrays.stream(drop).noneMatch(d -> d == jj)) {
          truncated[t++] = x[r * M + j];
        }
      }
    }
    double[] pm = eval(f, masked, 4, M);
    double[] pt = eval(f, truncated, 4, kept);
    for (int r = 0, t = 0; r < 4; r++) {
      for (int j = 0; j < M; j++) {
        final int jj = j;
        if (Arrays.stream(drop).anyMatch(d -> d == jj)) {
          assertEquals(0.0, pm[r * M + j], name + ": masked entry");
        } else {
          assertEquals(pt[t++], pm[r * M + j], 1e-12, name + ": kept entry");
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("all")
  void fullyMaskedRowIsZeroWithZeroGradient(String name, Map f, boolean s, boolean l) {
    double[] x = {0.5, -1.0, 2.0, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> in = g.input(x, 2, 3);
      Operand<TFloat64> y = f.apply(g.tf, in);
      Operand<TFloat64> dy = g.input(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
      List<double[]> out = g.run(List.of(y, g.vjp(y, dy, List.of(in)).get(0)));
      for (int j = 3; j < 6; j++) {
        assertEquals(0.0, out.get(0)[j], name + ": probability in a fully masked row");
        assertEquals(0.0, Math.abs(out.get(1)[j]), name + ": gradient in a fully masked row");
      }
      for (double v : out.get(1)) {
        assertTrue(Double.isFinite(v), name + ": gradient " + v);
      }
    }
  }

  /** Scaling the logits to infinity gives the one-hot of the argmax; tiny scales stay valid. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("all")
  void hugeAndTinyScales(String name, Map f, boolean shiftInvariant, boolean lipschitz) {
    double[] x = random(11, 4 * M, 1.0);
    if (!name.startsWith("taylor") && !name.startsWith("sigsoftmax")) {
      double[] huge = x.clone();
      for (int i = 0; i < huge.length; i++) {
        huge[i] *= 1e8;
      }
      double[] p = eval(f, huge, 4, M);
      for (int r = 0; r < 4; r++) {
        int arg = 0;
        for (int j = 1; j < M; j++) {
          if (x[r * M + j] > x[r * M + arg]) {
            arg = j;
          }
        }
        for (int j = 0; j < M; j++) {
          assertEquals(j == arg ? 1.0 : 0.0, p[r * M + j], 1e-9, name + " at scale 1e8");
        }
      }
    }
    double[] tiny = x.clone();
    for (int i = 0; i < tiny.length; i++) {
      tiny[i] *= 1e-8;
    }
    double[] p = eval(f, tiny, 4, M);
    int support = name.startsWith("topK") ? 3 : M;
    for (double v : p) {
      assertTrue(v == 0.0 || Math.abs(v - 1.0 / support) < 1e-6, name + " at scale 1e-8: " + v);
    }
  }

  /** Two classes: softmax([t, 0]) = sigmoid(t), sparsemax([t, 0]) = clip((t + 1)/2, 0, 1). */
  @Test
  void twoClassClosedForms() {
    double[] t = {-3, -1, -0.4, 0, 0.3, 0.99, 2.5};
    double[] x = new double[2 * t.length];
    for (int i = 0; i < t.length; i++) {
      x[2 * i] = t[i];
    }
    double[] soft = eval(Mappings::softmax, x, t.length, 2);
    double[] sparse = eval(Mappings::sparsemax, x, t.length, 2);
    double[] ent2 = eval((tf, v) -> Mappings.entmaxBisect(tf, v, 2.0), x, t.length, 2);
    double[] ent1 = eval((tf, v) -> Mappings.entmaxBisect(tf, v, 1.0), x, t.length, 2);
    for (int i = 0; i < t.length; i++) {
      assertEquals(1 / (1 + Math.exp(-t[i])), soft[2 * i], 1e-12);
      assertEquals(Math.min(1, Math.max(0, (t[i] + 1) / 2)), sparse[2 * i], 1e-12);
      assertEquals(sparse[2 * i], ent2[2 * i], 1e-9, "alpha = 2 is sparsemax");
      assertEquals(soft[2 * i], ent1[2 * i], 1e-12, "alpha = 1 is softmax");
    }
  }

  /** The bounded partial sort gives the full-sort answer, also with supports of thousands. */
  @Test
  void partialSortEqualsFullSort() {
    int m = 3000;
    double[] x = new double[3 * m];
    double[] a = random(1, m, 1.0);
    double[] b = random(2, m, 1e-4); // support: the whole row
    double[] c = random(3, m, 0.01); // support: hundreds to thousands
    System.arraycopy(a, 0, x, 0, m);
    System.arraycopy(b, 0, x, m, m);
    System.arraycopy(c, 0, x, 2 * m, m);
    for (boolean entmax : new boolean[] {false, true}) {
      Map bounded = entmax ? (tf, v) -> Mappings.entmax15(tf, v, -1, SortStrategy.BOUNDED_TOP_K)
          : (tf, v) -> Mappings.sparsemax(tf, v, -1, SortStrategy.BOUNDED_TOP_K);
      Map full = entmax ? (tf, v) -> Mappings.entmax15(tf, v, -1, SortStrategy.FULL_SORT)
          : (tf, v) -> Mappings.sparsemax(tf, v, -1, SortStrategy.FULL_SORT);
      double[] pb = eval(bounded, x, 3, m);
      double[] pf = eval(full, x, 3, m);
      TestGraph.assertClose(entmax ? "entmax15" : "sparsemax", pf, pb, 1e-15, 0);
      // exact to float64 precision against an independent sort-based threshold
      for (int r = 0; r < 3; r++) {
        double[] row = Arrays.copyOfRange(x, r * m, (r + 1) * m);
        double[] expected = entmax ? SortReference.entmax15(row) : SortReference.sparsemax(row);
        TestGraph.assertClose("row " + r, expected, Arrays.copyOfRange(pb, r * m, (r + 1) * m), 1e-14, 1e-9);
      }
    }
  }
}
