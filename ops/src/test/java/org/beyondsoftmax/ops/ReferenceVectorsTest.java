package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * Every case of every {@code *.json} in the shared reference directory (and in
 * {@code -Dreference.dir=DIR} when given) as its own test: value y and vector-Jacobian products
 * in float64 within 1e-8 absolute + 1e-6 relative (alpha-entmax by bisection: 1e-6 absolute).
 */
class ReferenceVectorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TestFactory
  Stream<DynamicTest> referenceVectors() throws IOException {
    List<Path> dirs = new ArrayList<>();
    String shared = System.getProperty("reference.default.dir", "../../shared/reference");
    Path sharedDir = Path.of(shared);
    assertTrue(Files.isDirectory(sharedDir),
        "reference vectors not found at " + sharedDir.toAbsolutePath()
            + " (../shared/reference beside the checkout)");
    dirs.add(sharedDir);
    String extra = System.getProperty("reference.dir");
    if (extra != null && !extra.isBlank()) {
      Path p = Path.of(extra);
      assertTrue(Files.isDirectory(p), "-Dreference.dir=" + extra + " is not a directory");
      dirs.add(p);
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (Path dir : dirs) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
          for (JsonNode c : JSON.readTree(f.toFile()).get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check(c)));
          }
        }
      }
    }
    assertTrue(tests.size() > 0, "no reference cases found in " + dirs);
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
    double atol = op.startsWith("entmax_bisect") ? 1e-6 : 1e-8;
    double rtol = op.startsWith("entmax_bisect") ? 0 : 1e-6;
    try (TestGraph g = new TestGraph()) {
      var tf = g.tf;
      Operand<TFloat64> x = g.input(data(c.get("x")), shape(c.get("x")));
      List<Operand<TFloat64>> wrt = new ArrayList<>(List.of(x));
      List<String> gradNames = new ArrayList<>(List.of("dx"));
      Operand<TFloat64> y;
      Operand<TInt32> labels =
          c.has("labels") ? g.labels(ints(data(c.get("labels"))), shape(c.get("labels"))) : null;
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
          Operand<TFloat64> v = g.input(data(c.get("slopes_raw")), shape(c.get("slopes_raw")));
          wrt.add(v);
          gradNames.add("dslopes_raw");
          y = Mappings.plif(tf, x, v, params.get("range").asDouble());
        }
        case "log_mixture_of_softmaxes" -> {
          Operand<TFloat64> prior =
              g.input(data(c.get("prior_logits")), shape(c.get("prior_logits")));
          wrt.add(prior);
          gradNames.add("dprior_logits");
          y = Mappings.logMixtureOfSoftmaxes(tf, x, prior, axis);
        }
        default -> {
          fail("unknown op '" + op + "' in reference case " + c.get("id").asText());
          return;
        }
      }
      Operand<TFloat64> dy = g.input(data(c.get("dy")), shape(c.get("dy")));
      List<Operand<?>> fetch = new ArrayList<>(List.of(y));
      fetch.addAll(g.vjp(y, dy, wrt));
      List<double[]> out = g.run(fetch);
      TestGraph.assertClose("y", data(c.get("y")), out.get(0), atol, rtol);
      for (int i = 0; i < gradNames.size(); i++) {
        String name = gradNames.get(i);
        double[] expected = name.equals("dslopes_raw")
            ? dense(c, out.get(1 + i).length)
            : data(c.get(name));
        TestGraph.assertClose(name, expected, out.get(1 + i), atol, rtol);
      }
    }
  }

  private static LossOptions opts(int axis) {
    return LossOptions.defaults().withAxis(axis);
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
