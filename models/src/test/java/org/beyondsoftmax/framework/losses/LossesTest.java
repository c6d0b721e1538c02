package org.beyondsoftmax.framework.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.beyondsoftmax.framework.activations.Entmax15;
import org.beyondsoftmax.framework.activations.Sigsoftmax;
import org.beyondsoftmax.framework.activations.Sparsemax;
import org.beyondsoftmax.framework.activations.TopKSoftmax;
import org.beyondsoftmax.ops.testing.ReferenceCases;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.tensorflow.Operand;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.framework.losses.CategoricalCrossentropy;
import org.tensorflow.framework.losses.Reduction;
import org.tensorflow.framework.losses.SparseCategoricalCrossentropy;
import org.tensorflow.framework.optimizers.GradientDescent;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Every loss against the reference vectors (directly, or derived from the reference values of
 * its mapping), against finite differences, and the framework's reductions against the
 * framework's own sparse cross-entropy; bad input, the sparse-probabilities trap, configuration
 * maps.
 */
class LossesTest {
  /** Every loss, with its defaults ({@code slopes}: PLIF's raw slopes, of the predictions' dtype). */
  static List<LogitsLoss> every(Operand<? extends org.tensorflow.types.family.TFloating> slopes) {
    return List.of(new SparseCrossEntropy(), new SparsemaxLoss(), new Entmax15Loss(), new EntmaxBisectLoss(),
        new SigsoftmaxCrossEntropy(), new TaylorCrossEntropy(), new TopKSoftmaxLoss(), new AmSoftmaxLoss(),
        new PlifCrossEntropy(slopes));
  }

  // ---- reference vectors ----

  @TestFactory
  Stream<DynamicTest> lossesMatchTheReferenceVectors() throws IOException {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : ReferenceCases.all()) {
      String op = c.get("op").asText();
      JsonNode params = c.get("params");
      int axis = params.path("axis").asInt(-1);
      Function<TestGraph, LogitsLoss> direct = switch (op) {
        case "cross_entropy" -> g -> new SparseCrossEntropy(null, Reduction.NONE, axis);
        case "sparsemax_loss" -> g -> new SparsemaxLoss(null, Reduction.NONE, axis);
        case "entmax15_loss" -> g -> new Entmax15Loss(null, Reduction.NONE, axis);
        case "entmax_bisect_loss" -> g -> new EntmaxBisectLoss(null, params.get("alpha").asDouble(), Reduction.NONE, axis);
        case "am_softmax_loss" -> g -> new AmSoftmaxLoss(null, params.get("scale").asDouble(),
            params.get("margin").asDouble(), Reduction.NONE, axis);
        default -> null;
      };
      if (direct != null) {
        tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> {
          double tolerance = op.equals("entmax_bisect_loss") ? 1e-6 : 1e-8;
          try (TestGraph g = new TestGraph()) {
            Operand<TFloat64> x = ReferenceCases.input(g, c, "x");
            Operand<TFloat64> y = direct.apply(g).call(g.tf, ReferenceCases.labels(g, c), x, null);
            ReferenceCases.assertMatches(g, c, y, List.of(x), List.of("dx"), tolerance, tolerance == 1e-6 ? 0 : 1e-6);
          }
        }));
      }
      // losses whose reference is their mapping's value: -log p at the most probable class
      Function<TestGraph, LogitsLoss> derived = switch (op) {
        case "sigsoftmax" -> g -> new SigsoftmaxCrossEntropy(null, Reduction.NONE, axis);
        case "topk_softmax" -> g -> new TopKSoftmaxLoss(null, params.get("k").asInt(), Reduction.NONE, axis);
        case "taylor_softmax" -> g -> new TaylorCrossEntropy(null, params.get("order").asInt(), Reduction.NONE, axis);
        default -> null;
      };
      if (derived != null) {
        tests.add(DynamicTest.dynamicTest(c.get("id").asText() + " (loss)", () -> {
          Rows rows = new Rows(ReferenceCases.shape(c.get("x")), axis);
          double[] p = ReferenceCases.data(c.get("y"));
          int[] labels = rows.argmax(p);
          double[] expected = new double[labels.length];
          for (int r = 0; r < labels.length; r++) {
            expected[r] = -Math.log(p[rows.index(r, labels[r])]);
          }
          try (TestGraph g = new TestGraph()) {
            Operand<TFloat64> y = derived.apply(g).call(g.tf, g.labels(labels, rows.labelShape()), ReferenceCases.input(g, c, "x"), null);
            TestGraph.assertClose("loss", expected, g.run(y), 1e-8, 1e-6);
          }
        }));
      }
      if (op.equals("plif")) {
        tests.add(DynamicTest.dynamicTest(c.get("id").asText() + " (cross-entropy)", () -> {
          Rows rows = new Rows(ReferenceCases.shape(c.get("x")), -1);
          double[] f = ReferenceCases.data(c.get("y"));
          int[] labels = new int[rows.count()];
          double[] expected = new double[labels.length];
          for (int r = 0; r < labels.length; r++) {
            labels[r] = r % rows.classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < rows.classes; j++) {
              max = Math.max(max, f[rows.index(r, j)]);
            }
            double sum = 0;
            for (int j = 0; j < rows.classes; j++) {
              sum += Math.exp(f[rows.index(r, j)] - max);
            }
            expected[r] = max + Math.log(sum) - f[rows.index(r, labels[r])];
          }
          try (TestGraph g = new TestGraph()) {
            LogitsLoss loss = new PlifCrossEntropy(null, ReferenceCases.input(g, c, "slopes_raw"),
                params.get("range").asDouble(), Reduction.NONE, -1);
            Operand<TFloat64> y = loss.call(g.tf, g.labels(labels, rows.labelShape()), ReferenceCases.input(g, c, "x"), null);
            TestGraph.assertClose("loss", expected, g.run(y), 1e-8, 1e-6);
          }
        }));
      }
    }
    assertEquals(5 + 3 + 1, tests.stream().map(t -> t.getDisplayName().replaceAll("[-(].*", "")).distinct().count(),
        "reference cases for every loss");
    return tests.stream();
  }

  /** Rows of a row-major tensor along a class axis, and labels shaped like it without that axis. */
  record Rows(long[] shape, int axis, int outer, int classes, int inner) {
    Rows(long[] shape, int axis) {
      this(shape, axis < 0 ? axis + shape.length : axis, 0, 0, 0);
    }

    Rows {
      int a = axis;
      outer = (int) Arrays.stream(shape, 0, a).reduce(1, (x, y) -> x * y);
      classes = (int) shape[a];
      inner = (int) Arrays.stream(shape, a + 1, shape.length).reduce(1, (x, y) -> x * y);
    }

    int count() {
      return outer * inner;
    }

    int index(int row, int j) {
      return (row / inner) * classes * inner + j * inner + row % inner;
    }

    long[] labelShape() {
      long[] l = new long[shape.length - 1];
      for (int i = 0, k = 0; i < shape.length; i++) {
        if (i != axis) {
          l[k++] = shape[i];
        }
      }
      return l;
    }

    int[] argmax(double[] values) {
      int[] best = new int[count()];
      for (int r = 0; r < best.length; r++) {
        for (int j = 1; j < classes; j++) {
          if (values[index(r, j)] > values[index(r, best[r])]) {
            best[r] = j;
          }
        }
      }
      return best;
    }
  }

  // ---- gradients ----

  @Test
  void gradientsMatchFiniteDifferencesWithWeightsAndEveryReduction() {
    SplittableRandom random = new SplittableRandom(11);
    double[] x = random.doubles(4 * 5, -2, 2).toArray();
    double[] w = {0.5, 1.0, 2.0, 0.0};
    double[] v = random.doubles(6, -0.5, 1).toArray();
    Reduction[] reductions = Reduction.values();
    for (int i = 0; i < 9; i++) {
      try (TestGraph g = new TestGraph()) {
        Operand<TFloat64> in = g.input(i == 7 ? Arrays.stream(x).map(Math::tanh).toArray() : x, 4, 5); // AM-softmax: cosines
        Operand<TFloat64> slopes = g.input(v, 6);
        LogitsLoss loss = every(slopes).get(i);
        Reduction reduction = reductions[i % reductions.length];
        LogitsLoss reduced = with(loss, "reduction", reduction.name());
        Operand<TFloat64> y = reduced.call(g.tf, g.labels(new int[] {0, 3, 4, 1}, 4), in, g.input(w, 4));
        Operand<TFloat64> objective = reduction == Reduction.NONE ? g.tf.reduceSum(y, g.tf.constant(0)) : y;
        List<Operand<TFloat64>> inputs = i == 8 ? List.of(in, slopes) : List.of(in);
        g.assertGradients(objective, inputs, List.of("predictions", "slopes"), 1e-6, 1e-7, 1e-5);
      }
    }
  }

  /** {@code loss} with one entry of its configuration map changed. */
  private static LogitsLoss with(LogitsLoss loss, String key, Object value) {
    Map<String, Object> config = new HashMap<>(loss.getConfig());
    config.put(key, value);
    return fromConfig(loss, config);
  }

  /** A loss of {@code like}'s class from {@code config} (PLIF: with {@code like}'s slopes). */
  private static LogitsLoss fromConfig(LogitsLoss like, Map<String, Object> config) {
    if (like instanceof PlifCrossEntropy p) {
      return new PlifCrossEntropy(config, p.getSlopes());
    }
    try {
      return like.getClass().getConstructor(Map.class).newInstance(config);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw (RuntimeException) e.getCause();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(like.getClass() + " has a public constructor from a configuration map", e);
    }
  }

  // ---- reductions ----

  @Test
  void theFrameworksReductionsAsItsOwnSparseCrossEntropyComputesThem() {
    double[] x = new SplittableRandom(3).doubles(4 * 3, -2, 2).toArray();
    int[] labels = {2, 0, 1, 1};
    for (Reduction reduction : Reduction.values()) {
      for (long[] weightShape : new long[][] {null, {}, {4}, {4, 1}}) {
        try (TestGraph g = new TestGraph()) {
          Operand<TFloat64> logits = g.input(x, 4, 3);
          Operand<TFloat64> w = weightShape == null ? null
              : g.input(Arrays.copyOf(new double[] {0.5, 2.0, 0.0, 1.5}, (int) Shape.of(weightShape).size()), weightShape);
          Operand<TFloat64> ours = new SparseCrossEntropy(reduction).call(g.tf, g.labels(labels, 4), logits, w);
          Operand<TFloat64> theirs = new SparseCategoricalCrossentropy(true, reduction).call(g.tf, g.labels(labels, 4), logits, w);
          String what = reduction + ", weights " + (weightShape == null ? "null" : Arrays.toString(weightShape));
          assertEquals(theirs.shape(), ours.shape(), what);
          TestGraph.assertClose(what, g.run(theirs), g.run(ours), 1e-12, 1e-12);
        }
      }
    }
  }

  @Test
  void rankThreeLogitsWithWeightsPerSequenceOrPerToken() {
    double[] x = new SplittableRandom(5).doubles(2 * 3 * 4, -2, 2).toArray();
    int[] labels = {0, 1, 2, 3, 0, 1};
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> logits = g.input(x, 2, 3, 4);
      double[] perToken = g.run(new SparseCrossEntropy(Reduction.NONE).call(g.tf, g.labels(labels, 2, 3), logits, null));
      double[] perSequence = {2.0, 0.5};
      double sum = 0;
      for (int i = 0; i < 6; i++) {
        sum += perSequence[i / 3] * perToken[i];
      }
      double[] auto = g.run(new SparseCrossEntropy().call(g.tf, g.labels(labels, 2, 3), logits, g.input(perSequence, 2)));
      assertEquals(sum / 6, auto[0], 1e-12, "weights [2] for labels [2, 3]: a trailing 1 added, mean over the 6 tokens");
      double[] labels3 = g.run(new SparseCrossEntropy(Reduction.SUM).call(g.tf, g.labels(labels, 2, 3, 1), logits,
          g.input(new double[] {2.0, 2.0, 2.0, 0.5, 0.5, 0.5}, 2, 3, 1)));
      assertEquals(sum, labels3[0], 1e-12, "labels and weights [2, 3, 1]: the trailing 1 squeezed");
    }
  }

  // ---- training ----

  @Test
  void sparseCrossEntropyTrainsWhereTheFrameworksOwnCannot() {
    double[] x = new SplittableRandom(9).doubles(6 * 4, -1, 1).toArray();
    int[] labels = {0, 1, 2, 3, 0, 1};
    try (TestGraph g = new TestGraph()) {
      var logits = g.variable(x, 6, 4);
      Operand<TFloat64> theirs = new SparseCategoricalCrossentropy(true).call(g.tf, g.labels(labels, 6), logits, null);
      var e = assertThrows(TensorFlowException.class, () -> new GradientDescent(g.graph, 0.5f).minimize(theirs));
      assertTrue(e.getMessage().contains("No gradient defined for op: SparseSoftmaxCrossEntropyWithLogits"), e.getMessage());
    }
    try (TestGraph g = new TestGraph()) {
      var logits = g.variable(x, 6, 4);
      Operand<TFloat64> ours = new SparseCrossEntropy().call(g.tf, g.labels(labels, 6), logits, null);
      Operand<TFloat64> theirs = new SparseCategoricalCrossentropy(true).call(g.tf, g.labels(labels, 6), logits, null);
      Op step = new GradientDescent(g.graph, 0.5f).minimize(ours);
      double first = g.run(ours)[0];
      assertEquals(g.run(theirs)[0], first, 1e-12, "the framework's value");
      for (int i = 0; i < 50; i++) {
        g.run(step);
      }
      double last = g.run(ours)[0];
      assertTrue(last < 0.3 * first, "trains: " + first + " -> " + last);
    }
  }

  // ---- the trap ----

  @Test
  void sparseProbabilitiesInTheFrameworksCategoricalCrossentropyGiveAFiniteLossAndNoGradient() {
    try (TestGraph g = new TestGraph()) {
      var logits = g.variable(new double[] {3, 1, -1, 0.5, 0.2, 2.0}, 2, 3);
      Operand<TFloat64> onehot = g.input(new double[] {0, 0, 1, 1, 0, 0}, 2, 3); // labels 2 and 0: probability 0
      Operand<TFloat64> p = new Sparsemax().call(g.tf, logits);
      double[] probabilities = g.run(p);
      assertEquals(0.0, probabilities[2]);
      assertEquals(0.0, probabilities[3]);
      Operand<TFloat64> trap = new CategoricalCrossentropy().call(g.tf, onehot, p, null);
      double loss = g.run(trap)[0];
      assertEquals(-Math.log(1e-7), loss, 1e-6, "finite: p = 0 clipped to 1e-7");
      double[] grad = g.run(g.grads(trap, List.of(logits)).get(0));
      assertEquals(0.0, grad[2], "no gradient on the label of row 0");
      assertEquals(0.0, grad[3], "no gradient on the label of row 1");
      // the loss of the mapping, on the logits, pushes the labels up
      Operand<TFloat64> right = new SparsemaxLoss().call(g.tf, g.labels(new int[] {2, 0}, 2), logits, null);
      double[] push = g.run(g.grads(right, List.of(logits)).get(0));
      assertTrue(push[2] < 0 && push[3] < 0, "SparsemaxLoss's gradient lowers the loss by raising the labels: " + Arrays.toString(push));
      // and ours refuse the probabilities
      for (var activation : List.of(new Sparsemax(), new Entmax15(), new TopKSoftmax(1))) {
        Operand<TFloat64> q = activation.call(g.tf, logits);
        for (LogitsLoss loss2 : every(g.input(new double[3], 3))) {
          var e = assertThrows(IllegalArgumentException.class, () -> loss2.call(g.tf, g.labels(new int[] {2, 0}, 2), q, null));
          assertTrue(e.getMessage().startsWith("predictions must be logits"), e.getMessage());
          assertTrue(e.getMessage().contains("zero gradient on the label"), loss2.getName() + " names the trap: " + e.getMessage());
        }
      }
      var dense = assertThrows(IllegalArgumentException.class,
          () -> new SparseCrossEntropy().call(g.tf, g.labels(new int[] {2, 0}, 2), new Sigsoftmax().call(g.tf, logits), null));
      assertTrue(dense.getMessage().contains("probabilities of sigsoftmax"), dense.getMessage());
      var softmax = assertThrows(IllegalArgumentException.class,
          () -> new SparseCrossEntropy().call(g.tf, g.labels(new int[] {2, 0}, 2), g.tf.nn.softmax(logits), null));
      assertTrue(softmax.getMessage().contains("Softmax op"), softmax.getMessage());
    }
  }

  // ---- bad input ----

  private static void rejects(String argument, org.junit.jupiter.api.function.Executable build, String loss) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build, loss + ": " + argument);
    assertTrue(e.getMessage().startsWith(argument + " "), loss + ": the message names " + argument + ": " + e.getMessage());
  }

  @Test
  @SuppressWarnings("unchecked")
  void badInputIsRefusedAtGraphBuildTimeNamingTheArgument() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat32> logits = g.input32(new double[12], 4, 3);
      Operand<TInt32> labels = g.labels(new int[4], 4);
      Operand<TFloat32> ints = (Operand<TFloat32>) (Operand<?>) g.labels(new int[12], 4, 3);
      Operand<TFloat32> floatLabels = g.input32(new double[4], 4);
      Operand<TInt32> oneHot = g.labels(new int[12], 4, 3);
      Operand<TInt32> rank3 = g.labels(new int[8], 4, 2, 1);
      Operand<TInt32> wrongSize = g.labels(new int[5], 5);
      Operand<TInt64> int64 = g.tf.dtypes.cast(labels, TInt64.class);
      for (LogitsLoss loss : every(g.input32(new double[3], 3))) {
        String name = loss.getName();
        rejects("predictions", () -> loss.call(g.tf, labels, ints, null), name);
        rejects("predictions", () -> loss.call(g.tf, labels, g.tf.constant(1f), null), name);
        rejects("labels", () -> loss.call(g.tf, floatLabels, logits, null), name);
        rejects("labels", () -> loss.call(g.tf, oneHot, logits, null), name);
        rejects("labels", () -> loss.call(g.tf, rank3, logits, null), name);
        rejects("labels", () -> loss.call(g.tf, wrongSize, logits, null), name);
        rejects("sampleWeights", () -> loss.call(g.tf, labels, logits, g.input32(new double[5], 5)), name);
        rejects("sampleWeights", () -> loss.call(g.tf, labels, logits, g.input32(new double[12], 4, 3)), name);
        rejects("sampleWeights", () -> loss.call(g.tf, labels, logits, g.input32(new double[8], 4, 2, 1)), name);
        rejects("axis", () -> with(loss, "axis", 2).call(g.tf, labels, logits, null), name);
        // the good forms build
        loss.call(g.tf, int64, logits, g.input32(new double[4], 4, 1));
        loss.call(g.tf, g.labels(new int[4], 4, 1), logits, g.tf.constant(2f));
      }
      var e = assertThrows(IllegalArgumentException.class, () -> new SparseCrossEntropy().call(g.tf, oneHot, logits, null));
      assertTrue(e.getMessage().contains("one-hot labels?"), e.getMessage());
      rejects("slopes", () -> new PlifCrossEntropy(g.input(new double[3], 3)).call(g.tf, labels, logits, null), "PlifCrossEntropy");
      rejects("slopes", () -> new PlifCrossEntropy(g.input32(new double[6], 2, 3)), "PlifCrossEntropy");
      rejects("slopes", () -> new PlifCrossEntropy(null), "PlifCrossEntropy");
      rejects("range", () -> new PlifCrossEntropy(g.input32(new double[3], 3), 0), "PlifCrossEntropy");
    }
    rejects("alpha", () -> new EntmaxBisectLoss(0.5), "EntmaxBisectLoss");
    rejects("k", () -> new TopKSoftmaxLoss(0), "TopKSoftmaxLoss");
    rejects("order", () -> new TaylorCrossEntropy(3), "TaylorCrossEntropy");
    rejects("scale", () -> new AmSoftmaxLoss(0, 0.35), "AmSoftmaxLoss");
    rejects("margin", () -> new AmSoftmaxLoss(30, -0.1), "AmSoftmaxLoss");
  }

  // ---- configuration ----

  @Test
  void defaultsAndConfigurationMaps() {
    try (TestGraph g = new TestGraph()) {
      for (LogitsLoss loss : every(g.input(new double[7], 7))) {
        assertEquals(Reduction.AUTO, loss.getReduction(), loss.getName());
        assertEquals(-1, loss.getAxis(), loss.getName());
        assertEquals(loss.getClass().getSimpleName(), loss.getName());
        Map<String, Object> config = loss.getConfig();
        assertEquals("auto", config.get("reduction"));
        LogitsLoss again = fromConfig(loss, config);
        assertEquals(config, again.getConfig(), "round trip");
        Map<String, Object> unknown = new HashMap<>(config);
        unknown.put("fromLogits", true);
        var e = assertThrows(IllegalArgumentException.class, () -> fromConfig(loss, unknown));
        assertTrue(e.getMessage().contains("[fromLogits]"), e.getMessage());
      }
      assertEquals(Map.of("name", "PlifCrossEntropy", "reduction", "auto", "axis", -1, "range", 10.0, "knots", 7),
          new PlifCrossEntropy(g.input(new double[7], 7)).getConfig());
      assertThrows(IllegalArgumentException.class,
          () -> new PlifCrossEntropy(Map.of("knots", 8), g.input(new double[7], 7)), "knots must match the slopes");
    }
    assertEquals(Reduction.SUM, new SparsemaxLoss(Map.of("reduction", "sum")).getReduction());
    assertEquals(1.25, new EntmaxBisectLoss(Map.of("alpha", 1.25, "name", "fy")).getAlpha());
    assertEquals("fy", new EntmaxBisectLoss(Map.of("alpha", 1.25, "name", "fy")).getName());
    var e = assertThrows(IllegalArgumentException.class, () -> new SparsemaxLoss(Map.of("reduction", "mean")));
    assertTrue(e.getMessage().contains("'reduction' must be one of [auto, none, sum, sum_over_batch_size]"), e.getMessage());
  }
}
