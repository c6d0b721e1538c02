package org.beyondsoftmax.models.attention;

import static org.beyondsoftmax.models.testing.Harness.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.beyondsoftmax.models.nn.Parameter;
import org.beyondsoftmax.models.nn.Parameters;
import org.beyondsoftmax.models.testing.Harness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat64;

/**
 * Multi-head attention against a plain-Java one; the Transformer stack with every normaliser:
 * causal (a later token changes nothing before it), blind to left padding (positions counted
 * from the first real token), gradients of every variable and of the input by finite
 * differences; bad sizes refused.
 */
class TransformerTest {
  static final int D = 4;
  static final int H = 2;

  static Parameters<TFloat64> params(Harness g) {
    return new Parameters<>(g.tf, TFloat64.class, 5, "part");
  }

  static double[] value(Harness g, Parameters<TFloat64> p, String name) {
    Parameter<TFloat64> v = p.all().stream().filter(q -> q.name().equals(name)).findFirst().orElseThrow();
    return g.run(v.variable());
  }

  /** y = x W^T + b for x [n][in], W [out][in] row-major. */
  static double[][] linear(double[][] x, double[] w, double[] b, int out) {
    double[][] y = new double[x.length][out];
    for (int r = 0; r < x.length; r++) {
      for (int o = 0; o < out; o++) {
        double s = b[o];
        for (int i = 0; i < x[r].length; i++) {
          s += x[r][i] * w[o * x[r].length + i];
        }
        y[r][o] = s;
      }
    }
    return y;
  }

  @Test
  void multiHeadAttentionMatchesAPlainJavaOne() {
    int batch = 2;
    int steps = 3;
    try (Harness g = new Harness()) {
      Parameters<TFloat64> p = params(g);
      MultiHeadAttention<TFloat64> mha = new MultiHeadAttention<>(p, "att", D, H, Normalisers.parse("softmax"));
      double[] x = Harness.random(7, batch * steps * D, 1.5);
      // causal, and batch row 1 without its first key
      boolean[][][][] m = new boolean[batch][1][steps][steps];
      for (int b = 0; b < batch; b++) {
        for (int q = 0; q < steps; q++) {
          for (int k = 0; k <= q; k++) {
            m[b][0][q][k] = b == 0 || k > 0;
          }
        }
      }
      Operand<TBool> mask = g.tf.constant(m);
      double[] y = g.run(mha.apply(g.tf, g.input(x, batch, steps, D), mask));
      double[] wqkv = value(g, p, "att_qkv_weights");
      double[] bqkv = value(g, p, "att_qkv_bias");
      double[] wo = value(g, p, "att_out_weights");
      double[] bo = value(g, p, "att_out_bias");
      int dk = D / H;
      double[] expected = new double[y.length];
      for (int b = 0; b < batch; b++) {
        double[][] rows = new double[steps][D];
        for (int t = 0; t < steps; t++) {
          rows[t] = Arrays.copyOfRange(x, (b * steps + t) * D, (b * steps + t + 1) * D);
        }
        double[][] qkv = linear(rows, wqkv, bqkv, 3 * D); // [q (D) | k (D) | v (D)], head h at h dk
        double[][] mixed = new double[steps][D];
        for (int h = 0; h < H; h++) {
          for (int q = 0; q < steps; q++) {
            double[] z = new double[steps];
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < steps; k++) {
              double s = 0;
              for (int j = 0; j < dk; j++) {
                s += qkv[q][h * dk + j] * qkv[k][D + h * dk + j];
              }
              z[k] = m[b][0][q][k] ? s / Math.sqrt(dk) : Double.NEGATIVE_INFINITY;
              max = Math.max(max, z[k]);
            }
            double sum = 0;
            for (int k = 0; k < steps; k++) {
              sum += max == Double.NEGATIVE_INFINITY ? 0 : Math.exp(z[k] - max);
            }
            for (int k = 0; k < steps; k++) {
              double w = sum == 0 ? 0 : Math.exp(z[k] - max) / sum;
              for (int j = 0; j < dk; j++) {
                mixed[q][h * dk + j] += w * qkv[k][2 * D + h * dk + j];
              }
            }
          }
        }
        double[][] out = linear(mixed, wo, bo, D);
        for (int t = 0; t < steps; t++) {
          System.arraycopy(out[t], 0, expected, (b * steps + t) * D, D);
        }
      }
      assertClose("multi-head attention", expected, y, 1e-12, 1e-10);
    }
  }

  /** A 2-block Transformer of width 4 with 2 heads and 6 positions, and its output for x [1, T, 4]. */
  static Transformer<TFloat64> transformer(Harness g, String spec, int layers) {
    return new Transformer<>(params(g), D, layers, H, 6, Normalisers.parse(spec));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.beyondsoftmax.models.attention.AttentionCases#normalisers")
  void causalAndBlindToPadding(String spec, int unused) {
    try (Harness g = new Harness()) {
      Transformer<TFloat64> t = transformer(g, spec, 2);
      double[] x = Harness.random(11, 4 * D, 1.0);
      double[] y = g.run(t.apply(g.tf, g.input(x, 1, 4, D), null, null));
      // one batch of T = 6: the prompt left-padded by 2 positions of weight 0 (holding other values),
      // right-padded (the end of a training batch), and right-padded with its last token changed
      double[] batch = new double[3 * 6 * D];
      double[] weights = new double[3 * 6];
      System.arraycopy(Harness.random(12, 2 * D, 5.0), 0, batch, 0, 2 * D);
      System.arraycopy(x, 0, batch, 2 * D, 4 * D);
      Arrays.fill(weights, 2, 6, 1);
      System.arraycopy(x, 0, batch, 6 * D, 4 * D);
      Arrays.fill(weights, 6, 10, 1);
      System.arraycopy(x, 0, batch, 12 * D, 4 * D);
      batch[15 * D] += 1;
      Arrays.fill(weights, 12, 16, 1);
      double[] yb = g.run(t.apply(g.tf, g.input(batch, 3, 6, D), g.input(weights, 3, 6), null));
      assertClose(spec + ": left-padded", y, Arrays.copyOfRange(yb, 2 * D, 6 * D), 1e-12, 1e-10);
      assertClose(spec + ": right-padded", y, Arrays.copyOfRange(yb, 6 * D, 10 * D), 1e-12, 1e-10);
      assertClose(spec + ": causal, before the changed token", Arrays.copyOf(y, 3 * D),
          Arrays.copyOfRange(yb, 12 * D, 15 * D), 1e-12, 1e-10);
      assertTrue(Math.abs(yb[15 * D] - y[3 * D]) > 1e-6, spec + ": the changed position changes");
      for (double v : yb) {
        assertTrue(Double.isFinite(v), spec + ": padding gives finite outputs");
      }
    }
  }

  /**
   * Softmax: the input and every variable (embedding positions, layer norms, attention, feed-forward);
   * the other normalisers: the input and their own variables, whose gradients pass through them
   * (those of the other variables do not depend on the normaliser).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("org.beyondsoftmax.models.attention.AttentionCases#normalisers")
  void gradientsMatchFiniteDifferences(String spec, int normaliserVariables) {
    try (Harness g = new Harness()) {
      Transformer<TFloat64> t = transformer(g, spec, 1);
      Operand<TFloat64> x = g.input(Harness.random(13, 3 * D, 1.0), 1, 3, D);
      Operand<TFloat64> w = g.input(new double[] {0, 1, 1}, 1, 3);
      double[] upstream = Harness.random(14, 3 * D, 1.0);
      Arrays.fill(upstream, 0, D, 0); // the output at the padding is not used
      Operand<TFloat64> dy = g.input(upstream, 1, 3, D);
      Operand<TFloat64> objective = g.objective(t.apply(g.tf, x, w, null), dy);
      List<Operand<TFloat64>> inputs = new ArrayList<>(List.of(x));
      List<String> names = new ArrayList<>(List.of("x"));
      List<Parameter<TFloat64>> all = t.parameters();
      assertEquals(15 + (normaliserVariables > 0 ? 1 : 0), all.size(), "variables of one block");
      for (Parameter<TFloat64> v : spec.equals("softmax") ? all : t.attention(0).normaliserParameters()) {
        inputs.add(Harness.float64(v.variable()));
        names.add(v.variable().op().name());
      }
      List<double[]> grads = g.assertGradients(objective, inputs, names, 1e-6, 1e-8, 1e-5);
      for (int j = 0; j < D; j++) {
        assertEquals(0.0, grads.get(0)[j], spec + ": no gradient into a position of weight 0");
      }
    }
  }

  @Test
  void badSizesAreRefused() {
    try (Harness g = new Harness()) {
      var heads = assertThrows(IllegalArgumentException.class,
          () -> new Transformer<>(params(g), 6, 1, 4, 5, Normalisers.parse("softmax")));
      assertEquals("the attention heads (4) must divide the model's width (6): each head gets width / heads "
          + "dimensions", heads.getMessage());
      Transformer<TFloat64> t = transformer(g, "softmax", 1);
      var longer = assertThrows(IllegalArgumentException.class,
          () -> t.apply(g.tf, g.input(new double[7 * D], 1, 7, D), null, null));
      assertEquals("the Transformer has 6 learned positions: inputs may have at most 6 steps, got 7",
          longer.getMessage());
    }
  }
}
