package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.tensorflow.Operand;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * Each bad argument of the attention normalisers is an IllegalArgumentException at graph-build
 * time whose message starts with the parameter's name (and states the allowed range).
 */
class AttentionBadInputTest {

  private static void rejects(String parameter, String range, Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertTrue(e.getMessage().startsWith(parameter + " ") && e.getMessage().contains(range),
        "message should start with '" + parameter + "' and say '" + range + "': " + e.getMessage());
  }

  /** [2, 3, 4, 5] scores (B, H, Tq, Tk). */
  private static Operand<TFloat64> scores(TestGraph g) {
    return g.input(new double[120], 2, 3, 4, 5);
  }

  private static Operand<TBool> mask(TestGraph g, long... shape) {
    return g.tf.zeros(g.tf.constant(shape), TBool.class);
  }

  @Test
  @SuppressWarnings("unchecked")
  void scoresNotFloating() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> ints = (Operand<TFloat64>) (Operand<?>) g.labels(new int[6], 2, 3);
      rejects("scores", "floating", () -> AttentionNormalisers.softmax(g.tf, ints, null));
      rejects("scores", "floating", () -> AttentionNormalisers.ssmax(g.tf, ints, null, 1.0));
      rejects("scores", "floating", () -> AttentionNormalisers.sigmoid(g.tf, ints, null));
    }
  }

  @Test
  void scalarScores() {
    try (TestGraph g = new TestGraph()) {
      rejects("scores", "rank >= 1",
          () -> AttentionNormalisers.softpick(g.tf, g.tf.constant(1.0), null));
    }
  }

  @Test
  void axisOutOfRange() {
    try (TestGraph g = new TestGraph()) {
      rejects("axis", "[-4, 3]", () -> AttentionNormalisers.sparsemax(g.tf, scores(g), null, 4));
      rejects("axis", "[-4, 3]", () -> AttentionNormalisers.entmax(g.tf, scores(g), null, 1.5, -5));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void maskNotBoolean() {
    try (TestGraph g = new TestGraph()) {
      Operand<TBool> floats = (Operand<TBool>) (Operand<?>) g.input(new double[20], 4, 5);
      rejects("mask", "boolean", () -> AttentionNormalisers.softmax(g.tf, scores(g), floats));
    }
  }

  @Test
  void maskShape() {
    try (TestGraph g = new TestGraph()) {
      // Tq and Tk swapped, a size that is neither 1 nor the scores', a rank above the scores'
      rejects("mask", "broadcast", () -> AttentionNormalisers.softmax(g.tf, scores(g), mask(g, 5, 4)));
      rejects("mask", "broadcast", () -> AttentionNormalisers.ssmax(g.tf, scores(g), mask(g, 2, 1, 1, 3), 1.0));
      rejects("mask", "broadcast",
          () -> AttentionNormalisers.sigmoid(g.tf, scores(g), mask(g, 1, 2, 3, 4, 5)));
      rejects("mask", "broadcast",
          () -> AttentionNormalisers.entmax(g.tf, g.input(new double[6], 2, 3), mask(g, 3, 2), 1.5));
    }
  }

  @Test
  void alphaOutOfRange() {
    try (TestGraph g = new TestGraph()) {
      rejects("alpha", ">= 1", () -> AttentionNormalisers.entmax(g.tf, scores(g), null, 0.99));
      rejects("alpha", "finite", () -> AttentionNormalisers.entmax(g.tf, scores(g), null, Double.NaN));
      rejects("alpha", "finite",
          () -> AttentionNormalisers.entmax(g.tf, scores(g), null, Double.POSITIVE_INFINITY));
    }
  }

  @Test
  void alphaTensorBelowOneFailsAtRunTime() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> y = AttentionNormalisers.entmax(
          g.tf, scores(g), null, g.input(new double[] {1.5, 0.5, 1.2}, 3, 1, 1));
      Exception e = assertThrows(Exception.class, () -> g.run(y));
      assertTrue(e.getMessage().contains("alpha must be >= 1"), e.getMessage());
    }
  }

  @Test
  void perHeadParameterShape() {
    try (TestGraph g = new TestGraph()) {
      // [H] aligns with the key axis; [2, 3, 4, 5] keeps the key axis; [1, 3, 4, 1, 1] has rank 5
      rejects("alpha", "size 1 on the key axis",
          () -> AttentionNormalisers.entmax(g.tf, scores(g), null, g.input(new double[3], 3)));
      rejects("alpha", "size 1 on the key axis",
          () -> AttentionNormalisers.entmax(g.tf, scores(g), null, scores(g)));
      rejects("s", "size 1 on the key axis",
          () -> AttentionNormalisers.ssmax(g.tf, scores(g), null, g.input(new double[12], 1, 3, 4, 1, 1)));
      rejects("s", "size 1 on the key axis",
          () -> AttentionNormalisers.ssmax(g.tf, scores(g), null, g.input(new double[2], 2, 1, 1)));
      // keys on axis 2: [3, 1, 1] is per head, [3, 4, 1] would span the keys
      rejects("s", "size 1 on the key axis", () -> AttentionNormalisers.ssmax(
          g.tf, scores(g), null, g.input(new double[12], 3, 4, 1), 2));
    }
  }

  @Test
  void perHeadParameterDtype() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat32> scores32 = g.input32(new double[120], 2, 3, 4, 5);
      Operand<TFloat32> alpha = g.tf.dtypes.cast(g.input(new double[] {1.5}, 1, 1, 1), TFloat32.class);
      // the generic bound stops a mismatch at compile time; unchecked callers reach the check
      @SuppressWarnings("unchecked")
      Operand<TFloat32> alpha64 = (Operand<TFloat32>) (Operand<?>) g.input(new double[3], 3, 1, 1);
      rejects("alpha", "dtype of scores",
          () -> AttentionNormalisers.entmax(g.tf, scores32, null, alpha64));
      rejects("s", "dtype of scores",
          () -> AttentionNormalisers.ssmax(g.tf, scores32, null, alpha64));
      AttentionNormalisers.entmax(g.tf, scores32, null, alpha); // the right dtype builds
    }
  }

  @Test
  void tensorAlphaNeedsKnownRank() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> unknown = g.inputUnknownShape(new double[6], 2, 3);
      rejects("scores", "known rank",
          () -> AttentionNormalisers.entmax(g.tf, unknown, null, g.tf.constant(1.5)));
      rejects("s", "scalar",
          () -> AttentionNormalisers.ssmax(g.tf, unknown, null, g.input(new double[2], 2, 1)));
    }
  }

  @Test
  void ssmaxScale() {
    try (TestGraph g = new TestGraph()) {
      rejects("s", "> 0", () -> AttentionNormalisers.ssmax(g.tf, scores(g), null, 0.0));
      rejects("s", "> 0", () -> AttentionNormalisers.ssmax(g.tf, scores(g), null, -0.5));
      rejects("s", "finite", () -> AttentionNormalisers.ssmax(g.tf, scores(g), null, Double.NaN));
    }
  }

  @Test
  void softpickEps() {
    try (TestGraph g = new TestGraph()) {
      rejects("eps", ">= 0", () -> AttentionNormalisers.softpick(g.tf, scores(g), null, -1e-6));
      rejects("eps", ">= 0", () -> AttentionNormalisers.softpick(g.tf, scores(g), null, Double.NaN));
      rejects("eps", "finite",
          () -> AttentionNormalisers.softpick(g.tf, scores(g), null, Double.POSITIVE_INFINITY));
    }
  }
}
