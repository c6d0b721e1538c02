package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.beyondsoftmax.ops.testing.ReferenceCases;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * Every reference case ({@link ReferenceCases#all}: the copy of the shared set in this module's
 * test resources, and {@code -Dreference.dir=DIR} when given) as its own test: value y and vector-Jacobian products
 * in float64 within 1e-8 absolute + 1e-6 relative (alpha-entmax by bisection: 1e-6 absolute).
 */
class ReferenceVectorsTest {
  @TestFactory
  Stream<DynamicTest> referenceVectors() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : ReferenceCases.all()) {
      tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check(c)));
    }
    return tests.stream();
  }

  private static void check(JsonNode c) {
    String op = c.get("op").asText();
    JsonNode params = c.get("params");
    int axis = params.path("axis").asInt(-1);
    double atol = op.startsWith("entmax_bisect") ? 1e-6 : 1e-8;
    double rtol = op.startsWith("entmax_bisect") ? 0 : 1e-6;
    try (TestGraph g = new TestGraph()) {
      var tf = g.tf;
      Operand<TFloat64> x = ReferenceCases.input(g, c, "x");
      List<Operand<TFloat64>> wrt = new ArrayList<>(List.of(x));
      List<String> gradNames = new ArrayList<>(List.of("dx"));
      Operand<TFloat64> y;
      Operand<TInt32> labels = ReferenceCases.labels(g, c);
      switch (op) {
        case "softmax" -> y = Mappings.softmax(tf, x, axis);
        case "log_softmax" -> y = Mappings.logSoftmax(tf, x, axis);
        case "sigsoftmax" -> y = Mappings.sigsoftmax(tf, x, axis);
        case "sparsemax" -> y = Mappings.sparsemax(tf, x, axis);
        case "entmax15" -> y = Mappings.entmax15(tf, x, axis);
        case "entmax_bisect" -> y = Mappings.entmaxBisect(tf, x, params.get("alpha").asDouble(), axis);
        case "taylor_softmax" -> y = Mappings.taylorSoftmax(tf, x, params.get("order").asInt(), axis);
        case "topk_softmax" -> y = Mappings.topKSoftmax(tf, x, params.get("k").asInt(), axis);
        case "cross_entropy" -> y = Losses.crossEntropy(tf, x, labels, opts(axis));
        case "sparsemax_loss" -> y = Losses.sparsemaxLoss(tf, x, labels, opts(axis));
        case "entmax15_loss" -> y = Losses.entmax15Loss(tf, x, labels, opts(axis));
        case "entmax_bisect_loss" ->
            y = Losses.entmaxBisectLoss(tf, x, labels, params.get("alpha").asDouble(), opts(axis));
        case "am_softmax_loss" -> y = Losses.amSoftmaxLoss(tf, x, labels,
            params.get("scale").asDouble(), params.get("margin").asDouble(), opts(axis));
        case "plif" -> {
          Operand<TFloat64> v = ReferenceCases.input(g, c, "slopes_raw");
          wrt.add(v);
          gradNames.add("dslopes_raw");
          y = Mappings.plif(tf, x, v, params.get("range").asDouble());
        }
        case "log_mixture_of_softmaxes" -> {
          Operand<TFloat64> prior = ReferenceCases.input(g, c, "prior_logits");
          wrt.add(prior);
          gradNames.add("dprior_logits");
          y = Mappings.logMixtureOfSoftmaxes(tf, x, prior, axis);
        }
        default -> {
          fail("unknown op '" + op + "' in reference case " + c.get("id").asText());
          return;
        }
      }
      ReferenceCases.assertMatches(g, c, y, wrt, gradNames, atol, rtol);
    }
  }

  private static LossOptions opts(int axis) {
    return LossOptions.defaults().withAxis(axis);
  }
}
