package org.beyondsoftmax.models.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.beyondsoftmax.models.testing.Harness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The spec grammar: lists, option order, malformed text rejected with clear messages. */
class SpecTextTest {

  @Test
  void listsSeparateSpecsByCommaOrSemicolon() {
    Map<String, String> plif = new LinkedHashMap<>();
    plif.put("knots", "1000");
    plif.put("range", "20");
    List<SpecText> expected = List.of(new SpecText("softmax", Map.of()), new SpecText("plif", plif),
        new SpecText("mos", Map.of()), new SpecText("entmax", Map.of("alpha", "1.3")));
    assertEquals(expected, SpecText.parseList("softmax,plif:knots=1000,range=20,mos,entmax:alpha=1.3"));
    assertEquals(expected, SpecText.parseList("softmax; plif:knots=1000,range=20 ;mos;entmax:alpha=1.3"));
    assertEquals("plif:knots=1000,range=20", expected.get(1).toString());
    assertEquals(List.of("knots", "range"), List.copyOf(expected.get(1).options().keySet()),
        "options keep their order");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''                           | empty item",
      "softmax,,mos                 | empty item",
      "softmax;knots=3              | must follow a name",
      "knots=3                      | must follow a name",
      "plif:knots                   | must be key=value",
      "'softmax:'                   | ':' must be followed by key=value options",
      "softmax:bias=true,bias=false | given twice",
      "Softmax                      | name must match",
      "plif:Knots=3                 | option name must match",
      "plif:knots=                  | value of option 'knots' must match",
  })
  void malformedListsAreRejected(String text, String message) {
    Harness.assertRefused(SpecText::parseList, text, message);
  }

  @Test
  void parseWantsExactlyOneSpec() {
    var e = assertThrows(IllegalArgumentException.class, () -> SpecText.parse("softmax,mos"));
    assertTrue(e.getMessage().contains("expected one spec"), e.getMessage());
  }
}
