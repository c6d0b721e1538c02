package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/** Each bad argument is an IllegalArgumentException at graph-build time naming the parameter. */
class BadInputTest {

  private static void rejects(String parameter, Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertTrue(e.getMessage().startsWith(parameter + " "),
        "message should start with the parameter name '" + parameter + "': " + e.getMessage());
  }

  private static Operand<TFloat64> logits(TestGraph g) {
    return g.input(new double[6], 2, 3);
  }

  @Test
  void axisOutOfRange() {
    try (TestGraph g = new TestGraph()) {
      rejects("axis", () -> Mappings.softmax(g.tf, logits(g), 2));
      rejects("axis", () -> Mappings.sparsemax(g.tf, logits(g), -3));
      rejects("axis", () -> Losses.crossEntropy(g.tf, logits(g), g.labels(new int[2], 2),
          LossOptions.defaults().withAxis(5)));
    }
  }

  @Test
  void scalarLogits() {
    try (TestGraph g = new TestGraph()) {
      rejects("x", () -> Mappings.entmax15(g.tf, g.tf.constant(1.0)));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void nonFloatingLogits() {
    try (TestGraph g = new TestGraph()) {
      // the generic bound stops this at compile time; raw or unchecked callers reach the check
      Operand<TFloat64> ints = (Operand<TFloat64>) (Operand<?>) g.labels(new int[6], 2, 3);
      rejects("x", () -> Mappings.softmax(g.tf, ints));
      rejects("x", () -> Losses.sparsemaxLoss(g.tf, ints, g.labels(new int[2], 2)));
    }
  }

  @Test
  void alphaBelowOne() {
    try (TestGraph g = new TestGraph()) {
      rejects("alpha", () -> Mappings.entmaxBisect(g.tf, logits(g), 0.5));
      rejects("alpha", () -> Losses.entmaxBisectLoss(g.tf, logits(g), g.labels(new int[2], 2), 0.9));
      rejects("alpha", () -> Mappings.entmaxBisect(g.tf, logits(g), Double.NaN));
    }
  }

  @Test
  void alphaTensorBelowOneFailsAtRunTime() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> y = Mappings.entmaxBisect(g.tf, logits(g), g.input(new double[] {1.5, 0.7}, 2), -1);
      Exception e = assertThrows(Exception.class, () -> g.run(y));
      assertTrue(e.getMessage().contains("alpha must be >= 1"), e.getMessage());
    }
  }

  @Test
  void alphaWrongShape() {
    try (TestGraph g = new TestGraph()) {
      rejects("alpha", () -> Mappings.entmaxBisect(g.tf, logits(g), g.input(new double[4], 2, 2), -1));
    }
  }

  @Test
  void taylorOrder() {
    try (TestGraph g = new TestGraph()) {
      rejects("order", () -> Mappings.taylorSoftmax(g.tf, logits(g), 3));
      rejects("order", () -> Mappings.taylorSoftmax(g.tf, logits(g), -2));
      rejects("order", () -> Mappings.taylorSoftmax(g.tf, logits(g), 0));
      rejects("order", () -> Losses.taylorCrossEntropy(g.tf, logits(g), g.labels(new int[2], 2), 5));
    }
  }

  @Test
  void topKBelowOne() {
    try (TestGraph g = new TestGraph()) {
      rejects("k", () -> Mappings.topKSoftmax(g.tf, logits(g), 0));
      rejects("k", () -> Losses.topKSoftmaxLoss(g.tf, logits(g), g.labels(new int[2], 2), -1));
    }
  }

  @Test
  void temperature() {
    try (TestGraph g = new TestGraph()) {
      rejects("tau", () -> Mappings.gumbelSoftmax(g.tf, logits(g), 0.0, false, 1L));
      rejects("tau", () -> Mappings.gumbelSoftmax(g.tf, logits(g), -1.0, true, 1L));
    }
  }

  @Test
  void plifArguments() {
    try (TestGraph g = new TestGraph()) {
      rejects("range", () -> Mappings.plif(g.tf, logits(g), g.input(new double[4], 4), 0.0));
      rejects("range", () -> Mappings.plif(g.tf, logits(g), g.input(new double[4], 4), Double.POSITIVE_INFINITY));
      rejects("slopesRaw", () -> Mappings.plif(g.tf, logits(g), g.input(new double[0], 0), 5.0));
      rejects("slopesRaw", () -> Mappings.plif(g.tf, logits(g), g.input(new double[4], 2, 2), 5.0));
    }
  }

  @Test
  void labels() {
    try (TestGraph g = new TestGraph()) {
      rejects("labels", () -> Losses.crossEntropy(g.tf, logits(g), g.input(new double[2], 2)));
      rejects("labels", () -> Losses.sparsemaxLoss(g.tf, logits(g), g.labels(new int[3], 3)));
      rejects("labels", () -> Losses.entmax15Loss(g.tf, logits(g), g.labels(new int[2], 2, 1)));
    }
  }

  @Test
  void amSoftmaxArguments() {
    try (TestGraph g = new TestGraph()) {
      rejects("scale", () -> Losses.amSoftmaxLoss(g.tf, logits(g), g.labels(new int[2], 2), 0, 0.3));
      rejects("margin", () -> Losses.amSoftmaxLoss(g.tf, logits(g), g.labels(new int[2], 2), 30, -0.1));
    }
  }

  @Test
  void labelOutOfRangeFailsAtRunTime() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> loss = Losses.crossEntropy(g.tf, logits(g), g.labels(new int[] {1, 3}, 2));
      Exception e = assertThrows(Exception.class, () -> g.run(loss));
      assertTrue(e.getMessage().contains("labels must be in [0, number of classes)"), e.getMessage());
    }
  }
}
