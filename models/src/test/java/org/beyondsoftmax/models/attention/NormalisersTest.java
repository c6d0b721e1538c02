package org.beyondsoftmax.models.attention;

import static org.beyondsoftmax.models.testing.Harness.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.beyondsoftmax.models.nn.Parameter;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.testing.Harness;
import org.beyondsoftmax.ops.AttentionNormalisers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat64;

/**
 * The attention normalisers' registry and parts, in float64: each spec builds the op of
 * {@code AttentionNormalisers} with its alpha or s (learned ones starting at the given value),
 * masked keys and rows without keys give zeros, gradients reach the per-head variables (finite
 * differences), bad specs are refused with the valid choices, specs round-trip.
 */
class NormalisersTest {
  static final int B = 2;
  static final int H = 2;
  static final int T = 4;

  /** The op the spec must build, with its constants, for [B, H, T, T] scores. */
  static Operand<TFloat64> expected(Ops tf, String spec, Operand<TFloat64> z, Operand<TBool> mask) {
    return switch (spec) {
      case "softmax" -> AttentionNormalisers.softmax(tf, z, mask);
      case "sparsemax" -> AttentionNormalisers.sparsemax(tf, z, mask);
      case "entmax" -> AttentionNormalisers.entmax(tf, z, mask, 1.5);
      case "entmax:alpha=1.3" -> AttentionNormalisers.entmax(tf, z, mask, 1.3);
      case "entmax:alpha=1.3,learn-alpha=true" -> AttentionNormalisers.entmax(tf, z, mask, tf.constant(1.3));
      case "ssmax" -> AttentionNormalisers.ssmax(tf, z, mask, 1.0);
      case "ssmax:s=2,learn-s=true" -> AttentionNormalisers.ssmax(tf, z, mask, 2.0);
      case "softpick" -> AttentionNormalisers.softpick(tf, z, mask);
      case "sigmoid" -> AttentionNormalisers.sigmoid(tf, z, mask);
      default -> throw new IllegalArgumentException("no expected op for " + spec);
    };
  }

  /** Causal, and key 0 of batch row 1 masked (left padding): its query 0 has no key. */
  static Operand<TBool> mask(Ops tf) {
    boolean[][][][] m = new boolean[B][1][T][T];
    for (int b = 0; b < B; b++) {
      for (int q = 0; q < T; q++) {
        for (int k = 0; k <= q; k++) {
          m[b][0][q][k] = b == 0 || k > 0;
        }
      }
    }
    return tf.constant(m);
  }

  static boolean masked(int b, int q, int k) {
    return k > q || (b == 1 && k == 0);
  }

  @Test
  void everyRegisteredNormaliserHasACase() {
    AttentionCases.assertEveryNormaliserHasACase("NormalisersTest", AttentionCases.normalisers());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.beyondsoftmax.models.attention.AttentionCases#normalisers")
  void eachSpecBuildsItsOpWithMasksAndVariables(String spec, int parameters) {
    try (Harness g = new Harness()) {
      AttentionNormaliser<TFloat64> n = Normalisers.create(Normalisers.parse(spec),
          new AttentionConfig<>(g.tf, TFloat64.class, H, 1));
      assertEquals(parameters, n.parameters().stream().mapToLong(Parameter::size).sum(), "variables");
      Operand<TFloat64> z = g.input(Harness.random(3, B * H * T * T, 2.0), B, H, T, T);
      double[] w = g.run(n.weights(g.tf, z, mask(g.tf)));
      assertClose(spec, g.run(expected(g.tf, spec, z, mask(g.tf))), w, 1e-12, 1e-10);
      for (int b = 0; b < B; b++) {
        for (int h = 0; h < H; h++) {
          for (int q = 0; q < T; q++) {
            double sum = 0;
            for (int k = 0; k < T; k++) {
              double p = w[((b * H + h) * T + q) * T + k];
              assertTrue(p >= 0 && p <= 1, spec + ": weight " + p);
              if (masked(b, q, k)) {
                assertEquals(0.0, p, spec + ": a masked key weighs exactly 0");
              }
              sum += p;
            }
            if (b == 1 && q == 0) {
              assertEquals(0.0, sum, spec + ": a query without keys gets weights 0");
            }
          }
        }
      }
      assertEquals(spec, n.spec().toString(), "the spec prints as given");
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {"entmax:alpha=1.3,learn-alpha=true | 1.3 | alpha", "ssmax:s=2,learn-s=true | 2 | s"})
  void learnedPerHeadValuesGetExactGradients(String spec, double initial, String name) {
    try (Harness g = new Harness()) {
      AttentionNormaliser<TFloat64> n = Normalisers.create(Normalisers.parse(spec),
          new AttentionConfig<>(g.tf, TFloat64.class, H, 1));
      assertClose(name, new double[] {initial, initial}, g.run(n.perHead(g.tf).get(name)), 1e-12, 1e-12);
      var v = Harness.float64(n.parameters().get(0).variable());
      g.set(v, new double[] {0.3, -0.4}); // the heads differ
      Operand<TFloat64> z = g.input(Harness.random(4, B * H * T * T, 2.0), B, H, T, T);
      Operand<TFloat64> dy = g.input(Harness.random(5, B * H * T * T, 1.0), B, H, T, T);
      Operand<TFloat64> objective = g.objective(n.weights(g.tf, z, mask(g.tf)), dy);
      double[][] grads = g.assertGradients(objective, List.of(z, v), List.of("scores", name), 1e-6, 1e-8, 1e-6)
          .toArray(new double[0][]);
      assertTrue(Math.abs(grads[1][0]) > 1e-6 && Math.abs(grads[1][1]) > 1e-6,
          "the gradient reaches every head's " + name + ": " + java.util.Arrays.toString(grads[1]));
    }
  }

  @Test
  void perHeadValuesForDiagnostics() {
    try (Harness g = new Harness()) {
      AttentionConfig<TFloat64> c = new AttentionConfig<>(g.tf, TFloat64.class, 3, 1);
      assertClose("alpha", new double[] {1.5, 1.5, 1.5},
          g.run(Normalisers.<TFloat64>create(Normalisers.parse("entmax"), c).perHead(g.tf).get("alpha")), 0, 0);
      assertClose("s", new double[] {1, 1, 1},
          g.run(Normalisers.<TFloat64>create(Normalisers.parse("ssmax"), c).perHead(g.tf).get("s")), 0, 0);
      assertEquals(Map.of(), Normalisers.<TFloat64>create(Normalisers.parse("softmax"), c).perHead(g.tf));
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "nosuch                           | unknown attention normaliser 'nosuch'; valid attention normalisers: softmax, sparsemax, entmax, ssmax, softpick, sigmoid",
      "entmax:alpah=1.2                 | attention normaliser 'entmax:alpah=1.2': unknown option 'alpah'; valid options: alpha, learn-alpha",
      "softpick:eps=1                   | unknown option 'eps'; valid options: none",
      "entmax:alpha=1                   | alpha must be in (1, 2], got 1",
      "entmax:alpha=2,learn-alpha=true  | alpha must be in (1, 2) when learned, got 2",
      "entmax:learn-alpha=yes           | option 'learn-alpha' must be true or false, got 'yes'",
      "ssmax:s=0                        | s must be finite and > 0, got 0",
      "ssmax:s=abc                      | option 's' must be a number, got 'abc'",
  })
  void badSpecsAreRefusedWithTheValidChoices(String spec, String message) {
    Harness.assertRefused(Normalisers::parse, spec, message);
  }

  @Test
  void specsRoundTripAndHelpListsEveryNormaliser() {
    for (String text : List.of("softmax", "entmax:alpha=1.2", "entmax:learn-alpha=true", "ssmax:s=0.5,learn-s=true")) {
      assertEquals(text, Normalisers.parse(text).toString());
      assertEquals(Normalisers.parse(text), Normalisers.parse(Normalisers.parse(text).toString()));
    }
    assertEquals("entmax", Normalisers.parse("entmax:alpha=1.5,learn-alpha=false").toString(), "defaults are left out");
    for (Kind<AttentionFactory> k : Normalisers.REGISTRY.kinds()) {
      assertTrue(Normalisers.REGISTRY.help().contains(k.name()), k.name());
    }
  }

  @Test
  void scoresOfAnotherShapeAreRefused() {
    try (Harness g = new Harness()) {
      AttentionNormaliser<TFloat64> n = Normalisers.create(Normalisers.parse("softmax"),
          new AttentionConfig<>(g.tf, TFloat64.class, H, 1));
      var three = assertThrows(IllegalArgumentException.class,
          () -> n.weights(g.tf, g.input(new double[T * T * H], H, T, T), null));
      assertTrue(three.getMessage().contains("scores must have shape [B, 2, Tq, Tk]"), three.getMessage());
      var heads = assertThrows(IllegalArgumentException.class,
          () -> n.weights(g.tf, g.input(new double[3 * T * T], 1, 3, T, T), null));
      assertTrue(heads.getMessage().contains("got [1, 3, 4, 4]"), heads.getMessage());
      var zero = assertThrows(IllegalArgumentException.class,
          () -> new AttentionConfig<>(g.tf, TFloat64.class, 0, 1));
      assertEquals("heads must be >= 1, got 0", zero.getMessage());
    }
  }
}
