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
 * 1e-6 relative, the tolerance of the ops module's ReferenceVectorsTest (alpha-entmax: 1e-6
 * absolute, as there: the reference bisects).
 *
 * <p>The fused cross-entropies have no cases of their own; they are checked against what the
 * cases of their mappings imply, in plain Java: for the sigsoftmax cases, loss = -log p_y and
 * dx = w (p - onehot(y)) (2 - sigmoid(x)) from the case's p; for the PLIF cases, with f the
 * case's PLIF values and f' = dx/dy of the case, loss = logsumexp(f) - f_y and dx = w (softmax(f)
 * - onehot(y)) f'. Labels: each row's largest x; w: per-row weights.
 */
class ReferenceVectorsTest {
  private static final Set<String> FUSED =
      Set.of("softmax", "log_softmax", "sigsoftmax", "sparsemax", "entmax15", "sparsemax_loss",
          "entmax15_loss", "plif", "entmax_bisect", "entmax_bisect_loss");

  @TestFactory
  Stream<DynamicTest> referenceVectors() throws IOException {
    assertTrue(Kernels.nativeLoaded(), Kernels.status());
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : ReferenceCases.all()) {
      String op = c.get("op").asText();
      if (FUSED.contains(op)) {
        tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check(c)));
      }
      boolean lastAxis = c.get("params").path("axis").asInt(-1) == -1;
      if ((op.equals("sigsoftmax") && lastAxis) || op.equals("plif")) {
        tests.add(DynamicTest.dynamicTest(c.get("id").asText() + " cross-entropy",
            () -> crossEntropy(c)));
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
        case "entmax_bisect" -> Mappings.entmaxBisect(tf, x, params.get("alpha").asDouble(), axis);
        case "entmax_bisect_loss" ->
            Losses.entmaxBisectLoss(tf, x, labels, params.get("alpha").asDouble(), opts);
        case "plif" -> {
          Operand<TFloat64> v = ReferenceCases.input(g, c, "slopes_raw");
          wrt.add(v);
          gradNames.add("dslopes_raw");
          yield Mappings.plif(tf, x, v, params.get("range").asDouble());
        }
        default -> throw new IllegalStateException(op);
      };
      assertFalse(g.opTypes("Beyond").isEmpty(), "no fused kernel in the graph of " + op);
      boolean bisect = op.startsWith("entmax_bisect");
      ReferenceCases.assertMatches(g, c, y, wrt, gradNames, bisect ? 1e-6 : 1e-8, bisect ? 0 : 1e-6);
    }
  }

  /** The fused cross-entropy of a sigsoftmax or PLIF case against what the case implies. */
  private static void crossEntropy(JsonNode c) {
    boolean plif = c.get("op").asText().equals("plif");
    double[] x = ReferenceCases.data(c.get("x"));
    double[] p = ReferenceCases.data(c.get("y"));
    double[] dy = ReferenceCases.data(c.get("dy"));
    double[] dxRef = ReferenceCases.data(c.get("dx"));
    long[] shape = ReferenceCases.shape(c.get("x"));
    int m = (int) shape[shape.length - 1];
    int rows = x.length / m;
    int[] labels = new int[rows];
    double[] w = new double[rows];
    double[] loss = new double[rows];
    double[] dx = new double[x.length];
    for (int r = 0; r < rows; r++) {
      w[r] = 1 + 0.5 * r;
      for (int j = 1; j < m; j++) {
        labels[r] = x[r * m + j] > x[r * m + labels[r]] ? j : labels[r];
      }
      double[] q = new double[m]; // probabilities
      if (plif) { // p holds f: softmax(f) in plain Java
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < m; j++) {
          max = Math.max(max, p[r * m + j]);
        }
        double s = 0;
        for (int j = 0; j < m; j++) {
          s += Math.exp(p[r * m + j] - max);
        }
        for (int j = 0; j < m; j++) {
          q[j] = Math.exp(p[r * m + j] - max) / s;
        }
        loss[r] = max + Math.log(s) - p[r * m + labels[r]];
      } else {
        System.arraycopy(p, r * m, q, 0, m);
        loss[r] = -Math.log(q[labels[r]]);
      }
      for (int j = 0; j < m; j++) {
        int i = r * m + j;
        double derivative = plif
            ? dxRef[i] / dy[i] // f'(x) from the case's vector-Jacobian product
            : Double.isInfinite(x[i]) ? 0 : 2 - 1 / (1 + Math.exp(-x[i]));
        dx[i] = w[r] * (q[j] - (j == labels[r] ? 1 : 0)) * derivative;
      }
    }
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> xin = g.input(x, rows, m);
      Operand<TInt32> y = g.labels(labels, rows);
      Operand<TFloat64> out = plif
          ? Losses.plifCrossEntropy(g.tf, xin, y, ReferenceCases.input(g, c, "slopes_raw"),
              c.get("params").get("range").asDouble())
          : Losses.sigsoftmaxCrossEntropy(g.tf, xin, y);
      assertFalse(g.opTypes("Beyond").isEmpty(), "no fused kernel in the graph");
      List<double[]> got = g.run(List.of(out, g.vjp(out, g.input(w, rows), List.of(xin)).get(0)));
      TestGraph.assertClose("loss", loss, got.get(0), 1e-8, 1e-6);
      TestGraph.assertClose("dx", dx, got.get(1), 1e-8, 1e-6);
    }
  }
}
