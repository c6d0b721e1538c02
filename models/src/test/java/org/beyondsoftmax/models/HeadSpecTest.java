package org.beyondsoftmax.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tensorflow.types.TFloat64;

/** The spec syntax, the registry's round trip, and bad specs rejected with clear messages. */
class HeadSpecTest {

  @Test
  void listsSeparateHeadsByCommaOrSemicolon() {
    List<HeadSpec> expected = List.of(HeadSpec.of("softmax"),
        new HeadSpec("plif", Map.of("knots", "1000")).with("range", "20"),
        HeadSpec.of("mos"), new HeadSpec("entmax", Map.of("alpha", "1.3")));
    assertEquals(expected, HeadSpec.parseList("softmax,plif:knots=1000,range=20,mos,entmax:alpha=1.3"));
    assertEquals(expected, HeadSpec.parseList("softmax; plif:knots=1000,range=20 ;mos;entmax:alpha=1.3"));
    assertEquals("plif:knots=1000,range=20", expected.get(1).toString());
    assertEquals(List.of("knots", "range"), List.copyOf(expected.get(1).options().keySet()),
        "options keep their order");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''                           | empty item",
      "softmax,,mos                 | empty item",
      "softmax;knots=3              | must follow a head name",
      "knots=3                      | must follow a head name",
      "plif:knots                   | must be key=value",
      "'softmax:'                   | ':' must be followed by key=value options",
      "softmax:bias=true,bias=false | given twice",
      "Softmax                      | head name must match",
      "plif:Knots=3                 | option name must match",
      "plif:knots=                  | value of option 'knots' must match",
  })
  void malformedListsAreRejected(String text, String message) {
    var e = assertThrows(IllegalArgumentException.class, () -> HeadSpec.parseList(text));
    assertTrue(e.getMessage().contains(message), "'" + text + "': " + e.getMessage());
  }

  @Test
  void parseWantsExactlyOneHead() {
    var e = assertThrows(IllegalArgumentException.class, () -> HeadSpec.parse("softmax,mos"));
    assertTrue(e.getMessage().contains("expected one head spec"), e.getMessage());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "nosuch                       | unknown head 'nosuch'; valid heads: softmax, sigsoftmax, mos, mos-sigsoftmax, mos-plif, plif, mlp, sparsemax, entmax, topk, taylor, amsoftmax",
      "plif:knot=5                  | head 'plif:knot=5': unknown option 'knot'; valid options: knots, range, slope-spread, slope-lr, bias",
      "sparsemax:alpha=2            | unknown option 'alpha'; valid options: bias",
      "amsoftmax:bias=true          | unknown option 'bias'; valid options: scale, margin",
      "plif:knots=abc               | option 'knots' must be an integer, got 'abc'",
      "plif:range=x                 | option 'range' must be a number, got 'x'",
      "softmax:bias=yes             | option 'bias' must be true or false, got 'yes'",
      "plif:knots=0                 | knots must be >= 1, got 0",
      "plif:range=-1                | range must be finite and > 0, got -1",
      "mos-plif:slope-spread=1      | slope-spread must be in [0, 1), got 1",
      "plif:slope-lr=0              | slope-lr must be finite and > 0, got 0",
      "mos:components=0             | components must be >= 1, got 0",
      "mlp:units=0                  | units must be >= 1, got 0",
      "entmax:alpha=1               | alpha must be in (1, 2], got 1",
      "entmax:alpha=2.5             | alpha must be in (1, 2], got 2.5",
      "entmax:alpha=2,learn-alpha=true | alpha must be in (1, 2) when learned, got 2",
      "topk:k=0                     | k must be >= 1, got 0",
      "taylor:order=3               | order must be even and >= 2, got 3",
      "amsoftmax:scale=0            | scale must be finite and > 0, got 0",
      "amsoftmax:margin=-1          | margin must be finite and >= 0, got -1",
      "softmax:tied=true            | tied=true needs an input embedding",
  })
  void badSpecsAreRejectedWithTheValidChoices(String spec, String message) {
    var e = assertThrows(IllegalArgumentException.class, () -> Heads.check(HeadSpec.parse(spec)));
    assertTrue(e.getMessage().contains(message), "'" + spec + "': " + e.getMessage());
  }

  @Test
  void everyHeadRoundTripsThroughItsSpec() {
    try (Harness g = new Harness()) {
      for (Heads.Type type : Heads.types()) {
        OutputHead<TFloat64> defaults = Heads.create(type.name(), g.config(3, 5, 1));
        assertEquals(type.name(), defaults.spec(), "defaults print as the bare name");
        OutputHead<TFloat64> again = Heads.create(defaults.spec(), g.config(3, 5, 1));
        assertEquals(defaults.parameterCount(), again.parameterCount(), type.name());
      }
      String spec = "mos-plif:components=3,knots=11,range=4,slope-spread=0.2,slope-lr=5";
      OutputHead<TFloat64> head = Heads.create(spec, g.config(3, 5, 1));
      assertEquals(spec, head.spec());
      assertEquals("plif:knots=11", Heads.create("plif:knots=11,range=20,bias=true", g.config(3, 5, 1)).spec(),
          "options equal to their defaults are left out");
    }
  }

  @Test
  void helpListsEveryHeadWithItsOptions() {
    String help = Heads.help();
    for (Heads.Type t : Heads.types()) {
      assertTrue(help.contains(t.name()), t.name());
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
