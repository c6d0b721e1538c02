package org.beyondsoftmax.models.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.beyondsoftmax.models.testing.Harness;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat64;

/** The LSTM against a plain-Java LSTM, its mask, its gradients; the TBPTT batches. */
class LstmTest {
  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /**
   * The reference: one layer over x [T][B][in] with Wx [in][4H], Wh [H][4H], b [4H], mask m [T][B];
   * returns the outputs [T][B][H] followed by the final c and h.
   */
  static double[][][] reference(double[][][] x, double[] m, double[] wx, double[] wh, double[] b, int hidden) {
    int steps = x.length;
    int batch = x[0].length;
    int in = x[0][0].length;
    double[][] c = new double[batch][hidden];
    double[][] h = new double[batch][hidden];
    double[][][] out = new double[steps + 2][][];
    for (int t = 0; t < steps; t++) {
      double[][] hNext = new double[batch][hidden];
      double[][] cNext = new double[batch][hidden];
      for (int r = 0; r < batch; r++) {
        double[] z = new double[4 * hidden];
        for (int j = 0; j < 4 * hidden; j++) {
          double s = b[j];
          for (int k = 0; k < in; k++) {
            s += x[t][r][k] * wx[k * 4 * hidden + j];
          }
          for (int k = 0; k < hidden; k++) {
            s += h[r][k] * wh[k * 4 * hidden + j];
          }
          z[j] = s;
        }
        double keep = m == null ? 1 : m[t * batch + r];
        for (int j = 0; j < hidden; j++) {
          double cn = sigmoid(z[hidden + j]) * c[r][j] + sigmoid(z[j]) * Math.tanh(z[2 * hidden + j]);
          double hn = sigmoid(z[3 * hidden + j]) * Math.tanh(cn);
          cNext[r][j] = keep * cn + (1 - keep) * c[r][j];
          hNext[r][j] = keep * hn + (1 - keep) * h[r][j];
        }
      }
      c = cNext;
      h = hNext;
      out[t] = h;
    }
    out[steps] = c;
    out[steps + 1] = h;
    return out;
  }

  @Test
  void oneLayerMatchesThePlainJavaLstmWithAndWithoutMask() {
    int steps = 4;
    int batch = 3;
    int in = 2;
    int hidden = 3;
    for (boolean masked : new boolean[] {false, true}) {
      try (Harness g = new Harness()) {
        Parameters<TFloat64> p = new Parameters<>(g.tf, TFloat64.class, 7, "lm");
        Lstm<TFloat64> lstm = new Lstm<>(p, in, hidden, 1);
        double[] xv = Harness.random(1, steps * batch * in, 1.5);
        double[] mv = {1, 1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 1};
        Operand<TFloat64> x = g.constant(xv, steps, batch, in);
        Operand<TFloat64> mask = masked ? g.constant(mv, steps, batch, 1) : null;
        Lstm.Output<TFloat64> out = lstm.apply(g.tf, x, mask, lstm.zeroState(g.tf, g.tf.constant(batch)), null);
        List<double[]> w = g.run(p.all().stream().map(Parameter::variable).toList());
        double[][][] xs = new double[steps][batch][in];
        for (int i = 0; i < xv.length; i++) {
          xs[i / (batch * in)][i / in % batch][i % in] = xv[i];
        }
        double[][][] ref = reference(xs, masked ? mv : null, w.get(0), w.get(1), w.get(2), hidden);
        double[] got = g.run(out.outputs());
        double[] expected = new double[steps * batch * hidden];
        for (int t = 0; t < steps; t++) {
          for (int r = 0; r < batch; r++) {
            System.arraycopy(ref[t][r], 0, expected, (t * batch + r) * hidden, hidden);
          }
        }
        Harness.assertClose("outputs, masked " + masked, expected, got, 1e-12, 1e-12);
        Harness.assertClose("final c", flatten(ref[steps]), g.run(out.state().c().get(0)), 1e-12, 1e-12);
        Harness.assertClose("final h", flatten(ref[steps + 1]), g.run(out.state().h().get(0)), 1e-12, 1e-12);
        double[] bias = w.get(2);
        double forget = 0;
        for (int j = hidden; j < 2 * hidden; j++) {
          forget += bias[j] / hidden;
        }
        assertEquals(1.0, forget, 1 / Math.sqrt(hidden), "forget-gate bias starts near 1");
      }
    }
  }

  private static double[] flatten(double[][] a) {
    double[] out = new double[a.length * a[0].length];
    for (int i = 0; i < a.length; i++) {
      System.arraycopy(a[i], 0, out, i * a[0].length, a[0].length);
    }
    return out;
  }

  @Test
  void twoLayerGradientsMatchFiniteDifferences() {
    try (Harness g = new Harness()) {
      Parameters<TFloat64> p = new Parameters<>(g.tf, TFloat64.class, 3, "lm");
      Lstm<TFloat64> lstm = new Lstm<>(p, 2, 2, 2);
      Variable<TFloat64> x = g.variable(Harness.random(4, 3 * 2 * 2, 1.0), 3, 2, 2);
      Operand<TFloat64> mask = g.constant(new double[] {1, 1, 0, 1, 1, 1}, 3, 2, 1);
      Lstm.Output<TFloat64> out = lstm.apply(g.tf, g.tf.identity(x), mask,
          lstm.zeroState(g.tf, g.tf.constant(2)), (v, l) -> g.tf.math.mul(v, g.tf.constant(0.5)));
      Operand<TFloat64> objective = g.tf.math.add(
          g.tf.reduceSum(g.tf.math.mul(out.outputs(), g.constant(Harness.random(5, 12, 1.0), 3, 2, 2)),
              g.tf.constant(new int[] {0, 1, 2})),
          g.tf.reduceSum(g.tf.math.square(out.state().c().get(1)), g.tf.constant(new int[] {0, 1})));
      List<Variable<TFloat64>> wrt = new ArrayList<>(List.of(x));
      p.all().forEach(q -> wrt.add(Harness.float64(q.variable())));
      g.assertGradients(objective, wrt, wrt.stream().map(v -> "d objective / d " + v.op().name()).toList(),
          1e-6, 1e-7, 1e-6);
    }
  }
}
