package org.beyondsoftmax.models.heads;

import static org.beyondsoftmax.models.testing.Harness.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.models.testing.Harness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;

/**
 * Each head's probabilities against an independent plain-Java evaluation of its formula from the
 * head's variable values (after a few training steps, so no parameter sits at its initial value).
 */
class ReferenceHeadsTest {
  static final int N = 4;
  static final int D = 3;
  static final int M = 7;

  /** A head's formula: probabilities of row h from the head's variables. */
  interface Formula {
    double[] probabilities(double[] h, Vars v);
  }

  /** The head's variable values by name. */
  record Vars(OutputHead<TFloat64> head, Harness g) {
    double[] get(String name) {
      return head.parameters().stream().filter(p -> p.name().equals(name)).findFirst()
          .map(p -> g.run(p.variable())).orElseThrow(() -> new AssertionError("no parameter " + name));
    }

    double[] logits(double[] h) {
      return affine(get("class_weights"), get("class_bias"), h, M);
    }
  }

  static Stream<Arguments> heads() {
    return Stream.of(
        Arguments.of("softmax", (Formula) (h, v) -> softmax(v.logits(h))),
        Arguments.of("sigsoftmax", (Formula) (h, v) -> {
          double[] z = v.logits(h);
          return normalise(map(z, x -> Math.exp(x) / (1 + Math.exp(-x))));
        }),
        Arguments.of("plif:knots=9,range=4", (Formula) (h, v) ->
            softmax(plif(v.logits(h), v.get("plif_slopes_raw"), 4))),
        Arguments.of("mlp:units=4,range=3", (Formula) (h, v) -> {
          double[] u = map(v.get("mlp_slopes_raw"), ReferenceHeadsTest::softplus);
          double[] b = v.get("mlp_offsets");
          double[] w = map(v.get("mlp_weights_raw"), ReferenceHeadsTest::softplus);
          return softmax(map(v.logits(h), x -> {
            double f = 0;
            for (int i = 0; i < u.length; i++) {
              f += w[i] / (1 + Math.exp(-(u[i] * x + b[i])));
            }
            return f;
          }));
        }),
        Arguments.of("mos:components=2", (Formula) (h, v) -> mixture(h, v, 2, z -> softmax(z))),
        Arguments.of("mos:components=2,tanh=false", (Formula) (h, v) ->
            mixture(h, v, 2, x -> x, z -> softmax(z))),
        Arguments.of("mos-sigsoftmax:components=2", (Formula) (h, v) ->
            mixture(h, v, 2, z -> normalise(map(z, x -> Math.exp(x) / (1 + Math.exp(-x)))))),
        Arguments.of("mos-plif:components=2,knots=9,range=4", (Formula) (h, v) ->
            mixture(h, v, 2, z -> softmax(plif(z, v.get("plif_slopes_raw"), 4)))),
        Arguments.of("taylor", (Formula) (h, v) ->
            normalise(map(v.logits(h), x -> 1 + x + x * x / 2))),
        Arguments.of("amsoftmax:scale=5,margin=0.3", (Formula) (h, v) -> {
          double[] w = v.get("class_weights");
          double[] c = new double[M];
          for (int j = 0; j < M; j++) {
            double[] wj = Arrays.copyOfRange(w, j * D, (j + 1) * D);
            c[j] = 5 * dot(wj, h) / Math.sqrt(dot(wj, wj) * dot(h, h));
          }
          return softmax(c);
        }),
        Arguments.of("sparsemax", (Formula) (h, v) -> entmax(v.logits(h), 2)),
        Arguments.of("entmax", (Formula) (h, v) -> entmax(v.logits(h), 1.5)),
        Arguments.of("entmax:alpha=1.25", (Formula) (h, v) -> entmax(v.logits(h), 1.25)),
        Arguments.of("entmax:learn-alpha=true", (Formula) (h, v) ->
            entmax(v.logits(h), 1 + 1 / (1 + Math.exp(-v.get("alpha_raw")[0])))),
        Arguments.of("topk:k=3", (Formula) (h, v) -> {
          double[] z = v.logits(h);
          double third = Arrays.stream(z).boxed().sorted((a, b) -> Double.compare(b, a)).toList().get(2);
          return normalise(map(z, x -> x >= third ? Math.exp(x) : 0));
        }));
  }

  @Test
  void everyRegisteredHeadHasACase() {
    RegisteredHeads.assertEveryHeadHasACase("ReferenceHeadsTest", heads());
  }

  @ForEveryHead
  void probabilitiesFollowTheFormula(String spec, Formula formula) {
    try (Harness g = new Harness()) {
      OutputHead<TFloat64> head = Heads.create(spec, g.config(D, M, 5));
      double[] hidden = Harness.random(2, N * D, 2.0);
      Operand<TFloat64> h = g.constant(hidden, N, D);
      var step = Optimizer.minimize(g.tf, g.tf.reduceSum(
          head.targetLoss(h, g.constant(Harness.randomTargets(9, N, M), N, M)), g.tf.constant(0)),
          head.parameters(), 0.1, Optimizer.Settings.adam()).update();
      for (int i = 0; i < 5; i++) {
        g.run(step);
      }
      double[] p = g.run(head.probabilities(h));
      Vars vars = new Vars(head, g);
      for (int n = 0; n < N; n++) {
        double[] expected = formula.probabilities(Arrays.copyOfRange(hidden, n * D, (n + 1) * D), vars);
        assertEquals(M, expected.length);
        assertClose(spec + " row " + n, expected, Arrays.copyOfRange(p, n * M, (n + 1) * M), 1e-9, 1e-7);
      }
    }
  }

  /** W x + b for W [rows, x.length] row-major. */
  static double[] affine(double[] w, double[] b, double[] x, int rows) {
    double[] y = new double[rows];
    for (int r = 0; r < rows; r++) {
      y[r] = dot(Arrays.copyOfRange(w, r * x.length, (r + 1) * x.length), x) + (b == null ? 0 : b[r]);
    }
    return y;
  }

  static double[] mixture(double[] h, Vars v, int k, UnaryOperator<double[]> component) {
    return mixture(h, v, k, Math::tanh, component);
  }

  /** sum_c pi_c(h) component(W context_c(h) + b), context_c(h) = activation(P_c h). */
  static double[] mixture(double[] h, Vars v, int k, DoubleUnaryOperator activation,
      UnaryOperator<double[]> component) {
    double[] contexts = map(affine(v.get("projection_weights"), null, h, k * D), activation);
    double[] prior = softmax(affine(v.get("prior_weights"), null, h, k));
    double[] p = new double[M];
    for (int c = 0; c < k; c++) {
      double[] z = v.logits(Arrays.copyOfRange(contexts, c * D, (c + 1) * D));
      double[] pc = component.apply(z);
      for (int j = 0; j < M; j++) {
        p[j] += prior[c] * pc[j];
      }
    }
    return p;
  }

  /** Ganea et al.'s PLIF from its definition: slopes softplus(raw), K intervals on [-T, T]. */
  static double[] plif(double[] x, double[] raw, double t) {
    int k = raw.length;
    double delta = 2 * t / k;
    return map(x, xi -> {
      int i = (int) Math.max(0, Math.min(k - 1, Math.floor((xi + t) / delta)));
      double f = softplus(raw[i]) * (xi + t - i * delta);
      for (int j = 0; j < i; j++) {
        f += delta * softplus(raw[j]);
      }
      return f;
    });
  }

  /** alpha-entmax by bisection on tau to double precision (alpha = 2 is sparsemax). */
  static double[] entmax(double[] z, double alpha) {
    double max = Arrays.stream(z).max().orElseThrow();
    double[] x = map(z, zi -> (alpha - 1) * (zi - max));
    double lo = -1;
    double hi = 0;
    for (int i = 0; i < 200; i++) {
      double mid = (lo + hi) / 2;
      double mass = Arrays.stream(x).map(xi -> Math.pow(Math.max(xi - mid, 0), 1 / (alpha - 1))).sum();
      if (mass >= 1) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    double tau = lo;
    return normalise(map(x, xi -> Math.pow(Math.max(xi - tau, 0), 1 / (alpha - 1))));
  }

  static double[] softmax(double[] z) {
    double max = Arrays.stream(z).max().orElseThrow();
    return normalise(map(z, x -> Math.exp(x - max)));
  }

  static double[] normalise(double[] a) {
    double sum = Arrays.stream(a).sum();
    return map(a, x -> x / sum);
  }

  static double softplus(double x) {
    return Math.log1p(Math.exp(x));
  }

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  static double[] map(double[] a, DoubleUnaryOperator f) {
    return Arrays.stream(a).map(f).toArray();
  }
}
