package org.beyondsoftmax.framework.activations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.beyondsoftmax.framework.MappingOutputs;
import org.beyondsoftmax.ops.testing.ReferenceCases;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.tensorflow.Operand;
import org.tensorflow.framework.activations.Activation;
import org.tensorflow.framework.activations.ReLU;
import org.tensorflow.framework.activations.Softmax;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * Every activation of {@link BeyondActivations}: built from the configuration map of the
 * reference cases of its name (the reference op names are the activations' names; one case per
 * parameters, axis and rank), its values and vector-Jacobian products match the independent
 * figures; defaults,
 * configuration maps, the framework's names, rows on the simplex, exact zeros, bad input.
 */
class ActivationsTest {

  @TestFactory
  Stream<DynamicTest> everyActivationMatchesTheReferenceVectorsOfItsName() throws IOException {
    Set<String> names = BeyondActivations.entries().stream().map(BeyondActivations.Entry::name)
        .collect(Collectors.toCollection(TreeSet::new));
    List<DynamicTest> tests = new ArrayList<>();
    Set<String> covered = new TreeSet<>();
    Set<String> signatures = new TreeSet<>(); // the first case of each op, params and rank (the ops' own test runs all)
    for (JsonNode c : ReferenceCases.all()) {
      String op = c.get("op").asText();
      if (names.contains(op) && signatures.add(op + c.get("params") + c.get("x").get("shape").size())) {
        covered.add(op);
        tests.add(DynamicTest.dynamicTest(c.get("id").asText(), () -> check(c)));
      }
    }
    assertEquals(names, covered, "every activation has reference cases");
    return tests.stream();
  }

  private static void check(JsonNode c) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("name", c.get("op").asText());
    c.get("params").fields().forEachRemaining(e -> config.put(e.getKey(),
        e.getValue().isIntegralNumber() ? (Object) e.getValue().asInt() : (Object) e.getValue().asDouble()));
    Activation a = BeyondActivations.create(config);
    assertEquals(config.get("axis"), ((MappingActivation) a).getConfig().get("axis"));
    double tolerance = c.get("op").asText().equals(EntmaxBisect.NAME) ? 1e-6 : 1e-8;
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> x = ReferenceCases.input(g, c, "x");
      ReferenceCases.assertMatches(g, c, a.call(g.tf, x), List.of(x), List.of("dx"), tolerance,
          tolerance == 1e-6 ? 0 : 1e-6);
    }
  }

  @Test
  void defaultsAndConfigurationMapsRoundTrip() {
    for (BeyondActivations.Entry e : BeyondActivations.entries()) {
      MappingActivation a = e.create().get();
      assertEquals(e.name(), a.getName());
      assertEquals(-1, a.getAxis(), e.name() + ": the default axis is the last");
      Map<String, Object> config = a.getConfig();
      assertEquals(e.name(), config.get("name"));
      assertEquals(config, e.fromConfig().apply(config).getConfig(), e.name() + ": config round trip");
      assertEquals(config, ((MappingActivation) BeyondActivations.create(config)).getConfig());
      assertEquals(config, ((MappingActivation) BeyondActivations.create(e.name().toUpperCase())).getConfig(),
          "names in any case, as the framework's");
      Map<String, Object> unknown = new HashMap<>(config);
      unknown.put("beta", 2);
      var bad = assertThrows(IllegalArgumentException.class, () -> e.fromConfig().apply(unknown));
      assertTrue(bad.getMessage().contains("[beta]"), bad.getMessage());
      Map<String, Object> other = new HashMap<>(config);
      other.put("name", "relu");
      assertThrows(IllegalArgumentException.class, () -> e.fromConfig().apply(other), "a map of another activation");
    }
    assertEquals(Map.of("name", "entmax_bisect", "axis", 1, "alpha", 1.25),
        BeyondActivations.create(Map.of("name", "entmax_bisect", "alpha", 1.25, "axis", 1)) instanceof EntmaxBisect b
            ? b.getConfig() : null);
    assertEquals(5, ((TopKSoftmax) BeyondActivations.create(Map.of("name", "topk_softmax", "k", 5))).getK());
    var wrongKind = assertThrows(IllegalArgumentException.class,
        () -> BeyondActivations.create(Map.of("name", "taylor_softmax", "order", 2.5)));
    assertTrue(wrongKind.getMessage().contains("'order' must be an integer"), wrongKind.getMessage());
  }

  @Test
  void theFrameworksNamesToo() {
    assertInstanceOf(ReLU.class, BeyondActivations.create("relu"));
    assertInstanceOf(Softmax.class, BeyondActivations.create(Map.of("name", "softmax", "axis", -1)));
    assertTrue(BeyondActivations.names().containsAll(List.of("sparsemax", "entmax15", "entmax_bisect",
        "sigsoftmax", "taylor_softmax", "topk_softmax", "softmax", "relu", "gelu", "tanh")));
    var unknown = assertThrows(IllegalArgumentException.class, () -> BeyondActivations.create("sparsmax"));
    assertTrue(unknown.getMessage().startsWith("unknown activation 'sparsmax'"), unknown.getMessage());
    assertTrue(unknown.getMessage().contains("sparsemax") && unknown.getMessage().contains("relu"),
        "the message lists the known names: " + unknown.getMessage());
    assertThrows(IllegalArgumentException.class, () -> BeyondActivations.create(Map.of("axis", -1)));
  }

  @Test
  void rowsOnTheSimplexWithExactZerosForTheSparseOnes() {
    double[] x = new SplittableRandom(7).doubles(4 * 3 * 6, -3, 3).toArray();
    for (BeyondActivations.Entry e : BeyondActivations.entries()) {
      for (int axis : new int[] {-1, 1}) {
        Map<String, Object> config = new HashMap<>(e.create().get().getConfig());
        config.put("axis", axis);
        if (e.name().equals(TopKSoftmax.NAME)) {
          config.put("k", 2);
        }
        MappingActivation a = e.fromConfig().apply(config);
        try (TestGraph g = new TestGraph()) {
          double[] p = g.run(a.call(g.tf, g.input32(x, 4, 3, 6)));
          int classes = axis == -1 ? 6 : 3;
          int zeros = 0;
          for (int row = 0; row < 4 * (axis == -1 ? 3 : 6); row++) {
            double sum = 0;
            for (int j = 0; j < classes; j++) {
              int index = axis == -1 ? row * 6 + j : (row / 6) * 18 + j * 6 + row % 6;
              assertTrue(p[index] >= 0, e.name());
              sum += p[index];
              zeros += p[index] == 0 ? 1 : 0;
            }
            assertEquals(1.0, sum, 1e-5, e.name() + " axis " + axis + ": row " + row + " sums to 1");
          }
          assertEquals(a.isSparse(), zeros > 0, e.name() + " axis " + axis + ": exact zeros iff sparse (" + zeros + ")");
        }
      }
    }
  }

  @Test
  void theOutputSaysWhichMappingMadeIt() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat32> x = g.input32(new double[] {1, 2, 3}, 1, 3);
      assertEquals(new MappingOutputs.Source("sparsemax", true), MappingOutputs.source(new Sparsemax().call(g.tf, x)).get());
      assertEquals(new MappingOutputs.Source("sigsoftmax", false), MappingOutputs.source(new Sigsoftmax().call(g.tf, x)).get());
      assertEquals(new MappingOutputs.Source("entmax_bisect", false),
          MappingOutputs.source(new EntmaxBisect(1.0).call(g.tf, x)).get(), "alpha = 1 is softmax: not sparse");
      assertEquals("sparsemax_probabilities_1", new Sparsemax().call(g.tf, x).op().name());
      assertFalse(MappingOutputs.source(g.tf.identity(x)).isPresent());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void badInputNamesTheArgument() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat32> ints = (Operand<TFloat32>) (Operand<?>) g.labels(new int[6], 2, 3);
      for (BeyondActivations.Entry e : BeyondActivations.entries()) {
        var bad = assertThrows(IllegalArgumentException.class, () -> e.create().get().call(g.tf, ints));
        assertTrue(bad.getMessage().startsWith("input must be a floating tensor"), bad.getMessage());
        var scalar = assertThrows(IllegalArgumentException.class, () -> e.create().get().call(g.tf, g.tf.constant(1f)));
        assertTrue(scalar.getMessage().startsWith("input must have rank >= 1"), scalar.getMessage());
      }
      var axis = assertThrows(IllegalArgumentException.class, () -> new Sparsemax(2).call(g.tf, g.input32(new double[6], 2, 3)));
      assertTrue(axis.getMessage().startsWith("axis "), axis.getMessage());
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new EntmaxBisect(0.5)).getMessage().startsWith("alpha "));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new TaylorSoftmax(3)).getMessage().startsWith("order "));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new TopKSoftmax(0)).getMessage().startsWith("k "));
  }
}
