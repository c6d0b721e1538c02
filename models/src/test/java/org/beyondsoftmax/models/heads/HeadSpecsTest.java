package org.beyondsoftmax.models.heads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.testing.Harness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.types.TFloat64;

/**
 * The head registry: bad specs rejected when parsed, with the valid choices; the same ranges for
 * Java arguments; every head round-trips through its spec; help lists every head.
 */
class HeadSpecsTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "nosuch                       | unknown head 'nosuch'; valid heads: softmax, sigsoftmax, mos, mos-sigsoftmax, mos-plif, plif, mlp, sparsemax, entmax, topk, taylor, amsoftmax",
      "plif:knot=5                  | head 'plif:knot=5': unknown option 'knot'; valid options: knots, range, slope-spread, slope-lr, bias",
      "sparsemax:alpha=2            | unknown option 'alpha'; valid options: bias",
      "amsoftmax:bias=true          | unknown option 'bias'; valid options: scale, margin",
      "plif:knots=abc               | option 'knots' must be an integer, got 'abc'",
      "plif:range=x                 | option 'range' must be a number, got 'x'",
      "softmax:bias=yes             | option 'bias' must be true or false, got 'yes'",
      "plif:knots=0                 | knots must be an integer >= 1, got 0",
      "plif:range=-1                | range must be finite and > 0, got -1",
      "mos-plif:slope-spread=1      | slope-spread must be in [0, 1), got 1",
      "plif:slope-lr=0              | slope-lr must be finite and > 0, got 0",
      "mos:components=0             | components must be an integer >= 1, got 0",
      "mlp:units=0                  | units must be an integer >= 1, got 0",
      "entmax:alpha=1               | alpha must be in (1, 2], got 1",
      "entmax:alpha=2.5             | alpha must be in (1, 2], got 2.5",
      "entmax:alpha=2,learn-alpha=true | alpha must be in (1, 2) when learned, got 2",
      "topk:k=0                     | k must be an integer >= 1, got 0",
      "taylor:order=3               | order must be even and >= 2, got 3",
      "amsoftmax:scale=0            | scale must be finite and > 0, got 0",
      "amsoftmax:margin=-1          | margin must be finite and >= 0, got -1",
  })
  void badSpecsAreRejectedWhenParsedWithTheValidChoices(String spec, String message) {
    Harness.assertRefused(Heads::parse, spec, message);
  }

  @Test
  void javaArgumentsAreCheckedAgainstTheSameRanges() {
    try (Harness g = new Harness()) {
      var k = assertThrows(IllegalArgumentException.class, () -> new TopKSoftmaxHead<>(g.config(3, 5, 1), 0, true));
      assertEquals("k must be an integer >= 1, got 0", k.getMessage());
      var a = assertThrows(IllegalArgumentException.class, () -> new EntmaxHead<>(g.config(3, 5, 1), 2.0, true, true));
      assertEquals("alpha must be in (1, 2) when learned, got 2.0", a.getMessage());
      var t = assertThrows(IllegalArgumentException.class, () -> Heads.create("softmax:tied=true", g.config(3, 5, 1)));
      assertTrue(t.getMessage().contains("tied=true needs an input embedding"), t.getMessage());
    }
  }

  @Test
  void everyHeadRoundTripsThroughItsSpec() {
    try (Harness g = new Harness()) {
      for (Kind<HeadFactory> kind : Heads.kinds()) {
        OutputHead<TFloat64> defaults = Heads.create(kind.name(), g.config(3, 5, 1));
        assertEquals(kind.name(), defaults.spec().toString(), "defaults print as the bare name");
        assertEquals(kind.spec(), defaults.spec());
        OutputHead<TFloat64> again = Heads.create(defaults.spec(), g.config(3, 5, 1));
        assertEquals(defaults.parameterCount(), again.parameterCount(), kind.name());
      }
      String spec = "mos-plif:components=3,knots=11,range=4,slope-spread=0.2,slope-lr=5";
      OutputHead<TFloat64> head = Heads.create(spec, g.config(3, 5, 1));
      assertEquals(spec, head.spec().toString());
      assertEquals(Heads.parse(spec), head.spec(), "the text parses back into an equal spec");
      assertEquals("plif:knots=11",
          Heads.create("plif:knots=11,range=20,bias=true", g.config(3, 5, 1)).spec().toString(),
          "options equal to their defaults are left out");
      assertEquals("topk:k=3,bias=false", new TopKSoftmaxHead<>(g.config(3, 5, 1), 3, false).spec().toString(),
          "a head built from Java arguments derives the same spec");
    }
  }

  @Test
  void helpListsEveryHeadWithItsOptions() {
    String help = Heads.help();
    for (Kind<HeadFactory> k : Heads.kinds()) {
      assertTrue(help.contains(k.name()) && help.contains(k.description()), k.name());
    }
    assertTrue(help.contains("knots=100000,range=20,slope-spread=0.1,slope-lr=1"), help);
  }

  @Test
  void hiddenStatesOfTheWrongSizeAreRejected() {
    try (Harness g = new Harness()) {
      OutputHead<TFloat64> head = Heads.create("softmax", g.config(3, 5, 1));
      var e = assertThrows(IllegalArgumentException.class,
          () -> head.logProbabilities(g.constant(new double[8], 2, 4)));
      assertEquals("h must have shape [N, 3] (hidden states), got [2, 4]", e.getMessage());
      var t = assertThrows(IllegalArgumentException.class,
          () -> head.targetLoss(g.constant(new double[6], 2, 3), g.constant(new double[8], 2, 4)));
      assertTrue(t.getMessage().startsWith("targets must have shape [N, 5]"), t.getMessage());
    }
  }
}
