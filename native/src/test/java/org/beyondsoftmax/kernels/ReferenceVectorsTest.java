package org.beyondsoftmax.kernels;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.beyondsoftmax.ops.Kernels;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * The shared reference cases of every op with a fused kernel, built with the kernels (each graph
 * must hold a Beyond* op): value and vector-Jacobian products in float64 within 1e-8 absolute +
 * 1e-6 relative, the tolerance of the ops module's ReferenceVectorsTest.
 */
class ReferenceVectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FUSED =
      Set.of("softmax", "log_softmax", "sigsoftmax", "sparsemax", "entmax15", "sparsemax_loss",
          "entmax15_loss", "plif");

  @TestFactory
  Stream<DynamicTest> referenceVectors() throws IOException {
    assertTrue(Kernels.nativeLoaded(), Kernels.status());
    Path dir = Path.of(System.getProperty("reference.default.dir", "../../shared/reference"));
    assertTrue(Files.isDirectory(dir), "reference vectors not found at " + dir.toAbsolutePath());
    List<DynamicTest> tests = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        for (JsonNode c : JSON.readTree(f.toFile()).get("cases")) {
          if (FUSED.contains(c.get("op").asText())) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check(c)));
          }
        }
      }
    }
    assertFalse(tests.isEmpty(), "no reference cases for the fused ops in " + dir);
    return tests.stream();
  }

  static double[] data(JsonNode tensor) {
    JsonNode d = tensor.get("data");
    double[] a = new double[d.size()];
    for (int i = 0; i < a.length; i++) {
      JsonNode v = d.get(i);
      a[i] = v.isTextual() ? switch (v.asText()) {
        case "inf" -> Double.POSITIVE_INFINITY;
        case "-inf" -> Double.NEGATIVE_INFINITY;
        case "nan" -> Double.NaN;
        default -> throw new IllegalArgumentException("bad value " + v);
      } : v.asDouble();
    }
    return a;
  }

  static long[] shape(JsonNode tensor) {
    JsonNode s = tensor.get("shape");
    long[] a = new long[s.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = s.get(i).asLong();
    }
    return a;
  }

  private static void check(JsonNode c) {
    String op = c.get("op").asText();
    JsonNode params = c.get("params");
    int axis = params.path("axis").asInt(-1);
    try (TestGraph g = new TestGraph()) {
      var tf = g.tf;
      Operand<TFloat64> x = g.input(data(c.get("x")), shape(c.get("x")));
      List<Operand<TFloat64>> wrt = new ArrayList<>(List.of(x));
      List<String> gradNames = new ArrayList<>(List.of("dx"));
      Operand<TInt32> labels =
          c.has("labels") ? g.labels(ints(data(c.get("labels"))), shape(c.get("labels"))) : null;
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
          Operand<TFloat64> v = g.input(data(c.get("slopes_raw")), shape(c.get("slopes_raw")));
          wrt.add(v);
          gradNames.add("dslopes_raw");
          yield Mappings.plif(tf, x, v, params.get("range").asDouble());
        }
        default -> throw new IllegalStateException(op);
      };
      assertFalse(g.opTypes("Beyond").isEmpty(), "no fused kernel in the graph of " + op);
      Operand<TFloat64> dy = g.input(data(c.get("dy")), shape(c.get("dy")));
      List<Operand<?>> fetch = new ArrayList<>(List.of(y));
      fetch.addAll(g.vjp(y, dy, wrt));
      List<double[]> out = g.run(fetch);
      TestGraph.assertClose("y", data(c.get("y")), out.get(0), 1e-8, 1e-6);
      for (int i = 0; i < gradNames.size(); i++) {
        String name = gradNames.get(i);
        double[] expected =
            name.equals("dslopes_raw") ? dense(c, out.get(1 + i).length) : data(c.get(name));
        TestGraph.assertClose(name, expected, out.get(1 + i), 1e-8, 1e-6);
      }
    }
  }

  private static double[] dense(JsonNode c, int size) {
    double[] d = new double[size];
    double[] idx = data(c.get("dslopes_raw_nonzero_index"));
    double[] val = data(c.get("dslopes_raw_nonzero"));
    for (int i = 0; i < idx.length; i++) {
      d[(int) idx[i]] = val[i];
    }
    return d;
  }

  private static int[] ints(double[] a) {
    int[] r = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = (int) a[i];
    }
    return r;
  }
}
