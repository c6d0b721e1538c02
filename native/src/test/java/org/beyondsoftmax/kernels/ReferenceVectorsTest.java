package org.beyondsoftmax.kernels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.beyondsoftmax.ops.Kernels;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.beyondsoftmax.ops.testing.ReferenceCases;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * The reference cases ({@link ReferenceCases#all}: the ops module's copy of the shared set, and
 * {@code -Dreference.dir=DIR} when given) of every op with a fused kernel, built with the kernels (each graph
 * must hold a Beyond* op): value and vector-Jacobian products in float64 within 1e-8 absolute +
 * 1e-6 relative, the tolerance of the ops module's ReferenceVectorsTest.
 */
class ReferenceVectorsTest {
  private static final Set<String> FUSED =
      Set.of("softmax", "log_softmax", "sigsoftmax", "sparsemax", "entmax15", "sparsemax_loss",
          "entmax15_loss", "plif");

  @TestFactory
  Stream<DynamicTest> referenceVectors() throws IOException {
    assertTrue(Kernels.nativeLoaded(), Kernels.status());
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : ReferenceCases.all()) {
      if (FUSED.contains(c.get("op").asText())) {
        tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check(c)));
      }
    }
    assertFalse(tests.isEmpty(), "no reference cases for the fused ops");
    return tests.stream();
  }

  private static void check(JsonNode c) {
    String op = c.get("op").asText();
    JsonNode params = c.get("params");
    int axis = params.path("axis").asInt(-1);
    try (TestGraph g = new TestGraph()) {
      var tf = g.tf;
      Operand<TFloat64> x = ReferenceCases.input(g, c, "x");
      List<Operand<TFloat64>> wrt = new ArrayList<>(List.of(x));
      List<String> gradNames = new ArrayList<>(List.of("dx"));
      Operand<TInt32> labels = ReferenceCases.labels(g, c);
      LossOptions opts = LossOptions.defaults().withAxis(axis);
      Operand<TFloat64> y = switch (op) {
        case "softmax" -> Mappings.softmax(tf, x, axis);
        case "log_softmax" -> Mappings.logSoftmax(tf, x, axis);
        case "sigsoftmax" -> Mappings.sigsoftmax(tf, x, axis);
        case "sparsemax" -> Mappings.sparsemax(tf, x, axis);
        case "entmax15" -> Mappings.entmax15(tf, x, axis);
        case "sparsemax_loss" -> Losses.sparsemaxLoss(tf, x, labels, opts);
        case "entmax15_loss" -> Losses.entmax15Loss(tf, x, labels, opts);
        case "plif" -> {
          Operand<TFloat64> v = ReferenceCases.input(g, c, "slopes_raw");
          wrt.add(v);
          gradNames.add("dslopes_raw");
          yield Mappings.plif(tf, x, v, params.get("range").asDouble());
        }
        default -> throw new IllegalStateException(op);
      };
      assertFalse(g.opTypes("Beyond").isEmpty(), "no fused kernel in the graph of " + op);
      ReferenceCases.assertMatches(g, c, y, wrt, gradNames, 1e-8, 1e-6);
    }
  }
}
