package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.beyondsoftmax.ops.testing.ReferenceCases;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.tensorflow.Operand;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat64;

/**
 * The attention normalisers against the reference vectors of an independent implementation
 * (test resources {@code reference/attention/}, a copy of the shared set; see its README): every
 * case's value y and vector-Jacobian product dx in float64 within 1e-8 absolute + 1e-6 relative.
 * Cases with -inf entries run twice: as given, and with those keys masked by a boolean mask over
 * finite scores instead (same y, same dx, 0 at the masked keys).
 */
class AttentionReferenceTest {
  private static final double ATOL = 1e-8;
  private static final double RTOL = 1e-6;

  @TestFactory
  Stream<DynamicTest> referenceVectors() throws Exception {
    List<JsonNode> cases = ReferenceCases.read(dir());
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases) {
      String id = c.get("id").asText();
      tests.add(DynamicTest.dynamicTest(id, () -> check(c, false)));
      if (hasMaskedKeys(c)) {
        tests.add(DynamicTest.dynamicTest(id + " (boolean mask)", () -> check(c, true)));
      }
    }
    assertEquals(40, cases.size(), "cases in attention.json");
    assertTrue(tests.size() > cases.size(), "some cases have masked keys");
    return tests.stream();
  }

  static Path dir() throws URISyntaxException {
    URL url = AttentionReferenceTest.class.getResource("/reference/attention/attention.json");
    assertNotNull(url, "test resource reference/attention/attention.json");
    return Path.of(url.toURI()).getParent();
  }

  private static boolean hasMaskedKeys(JsonNode c) {
    for (double v : ReferenceCases.data(c.get("x"))) {
      if (v == Double.NEGATIVE_INFINITY) {
        return true;
      }
    }
    return false;
  }

  private static void check(JsonNode c, boolean booleanMask) {
    JsonNode params = c.get("params");
    int axis = params.path("axis").asInt(-1);
    try (TestGraph g = new TestGraph()) {
      var tf = g.tf;
      Operand<TFloat64> x;
      Operand<TBool> mask = null;
      if (booleanMask) {
        // the masked keys get finite scores (which must not matter) and a false mask entry
        double[] data = ReferenceCases.data(c.get("x"));
        double[] keep = new double[data.length];
        for (int i = 0; i < data.length; i++) {
          keep[i] = data[i] == Double.NEGATIVE_INFINITY ? 0 : 1;
          data[i] = data[i] == Double.NEGATIVE_INFINITY ? 3.75 - i % 5 : data[i];
        }
        long[] shape = ReferenceCases.shape(c.get("x"));
        x = g.input(data, shape);
        mask = tf.math.greater(g.input(keep, shape), tf.constant(0.5));
      } else {
        x = ReferenceCases.input(g, c, "x");
      }
      Operand<TFloat64> y = switch (c.get("op").asText()) {
        case "ssmax" -> AttentionNormalisers.ssmax(tf, x, mask, params.get("s").asDouble(), axis);
        case "softpick" ->
            AttentionNormalisers.softpick(tf, x, mask, params.get("eps").asDouble(), axis);
        case "sigmoid_attention" -> AttentionNormalisers.sigmoid(tf, x, mask, axis);
        default -> fail("unknown op '" + c.get("op").asText() + "' in " + c.get("id").asText());
      };
      ReferenceCases.assertMatches(g, c, y, List.of(x), List.of("dx"), ATOL, RTOL);
    }
  }
}
