package org.beyondsoftmax.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.beyondsoftmax.ops.Kernels;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.beyondsoftmax.ops.NativeKernels.SoftmaxMode;
import org.beyondsoftmax.ops.NativeKernels.Sparse;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.tensorflow.Operand;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * Bad input to a fused kernel is an error naming the parameter, never a crash: the Java builder
 * rejects what it can see (dtype, static rank, range) with an IllegalArgumentException; the
 * kernels reject what only shows at run time (shapes, labels, an op built with a bad attribute)
 * with a TensorFlow error; NaN and +inf inputs run and give no crash.
 */
class BadInputTest {
  /** The raw ops below are the library's own op types: they exist only once it is loaded. */
  @BeforeAll
  static void kernelsLoaded() {
    assertTrue(Kernels.nativeLoaded(), Kernels.status());
  }

  private final CpuKernels kernels = new CpuKernels();

  private static void rejects(String parameter, Executable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
    assertTrue(e.getMessage().startsWith(parameter + " "),
        "message should start with '" + parameter + "': " + e.getMessage());
  }

  private static void failsAtRun(String parameter, TestGraph g, Operand<?> out) {
    Exception e = assertThrows(Exception.class, () -> g.run(out));
    assertTrue(e instanceof TensorFlowException || e instanceof IllegalArgumentException,
        "unexpected " + e);
    assertTrue(e.getMessage().contains(parameter + " must"),
        "message should name '" + parameter + "': " + e.getMessage());
  }

  /**
   * Output 0 of the library's op {@code type} built directly, without its Java wrapper's checks:
   * the inputs in order and, unless {@code attr} is null, one string attribute.
   */
  private static Operand<?> rawOp(TestGraph g, String type, String name, String attr, String value,
      Operand<?>... inputs) {
    var b = g.tf.scope().opBuilder(type, name);
    for (Operand<?> in : inputs) {
      b.addInput(in.asOutput());
    }
    if (attr != null) {
      b.setAttr(attr, value);
    }
    return b.build().output(0);
  }

  @Test
  void builderChecks() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> x = g.input(new double[6], 2, 3);
      Operand<TInt32> ints = g.labels(new int[6], 2, 3);
      rejects("range", () -> kernels.plif(g.tf, x, g.input(new double[3], 3), Double.NaN));
      rejects("range", () -> kernels.plif(g.tf, x, g.input(new double[3], 3), -1));
      rejects("slopesRaw", () -> kernels.plif(g.tf, x, g.input(new double[4], 2, 2), 1));
      rejects("slopesRaw", () -> kernels.plif(g.tf, x, g.input(new double[0], 0), 1));
      @SuppressWarnings("unchecked")
      Operand<TFloat64> float32 = (Operand<TFloat64>) (Operand<?>) g.input32(new double[3], 3);
      rejects("slopesRaw", () -> kernels.plif(g.tf, x, float32, 1));
      @SuppressWarnings("unchecked")
      Operand<TFloat64> wrong = (Operand<TFloat64>) (Operand<?>) ints;
      rejects("x", () -> kernels.softmax(g.tf, wrong, SoftmaxMode.SOFTMAX));
      rejects("x", () -> kernels.softmax(g.tf, g.tf.constant(1.0), SoftmaxMode.LOG_SIGSOFTMAX));
      rejects("x", () -> kernels.threshold(g.tf, g.tf.constant(1.0), Sparse.ENTMAX15));
      rejects("labels",
          () -> kernels.fenchelYoungLoss(g.tf, x, g.input(new double[2], 2), Sparse.SPARSEMAX));
      Operand<TInt32> y = g.labels(new int[2], 2);
      Operand<TFloat64> v = g.input(new double[3], 3);
      rejects("labels", () -> kernels.sigsoftmaxCrossEntropy(g.tf, x, g.input(new double[2], 2)));
      rejects("z", () -> kernels.sigsoftmaxCrossEntropy(g.tf, wrong, y));
      rejects("z", () -> kernels.plifCrossEntropy(g.tf, g.tf.constant(1.0), y, v, 1));
      rejects("range", () -> kernels.plifCrossEntropy(g.tf, x, y, v, 0));
      rejects("slopesRaw", () -> kernels.plifCrossEntropy(g.tf, x, y, float32, 1));
      rejects("slopesRaw", () -> kernels.plifCrossEntropy(g.tf, x, y, g.input(new double[4], 2, 2), 1));
      rejects("alpha", () -> kernels.entmaxBisect(g.tf, x, float32));
      rejects("alpha", () -> kernels.entmaxBisect(g.tf, x, g.input(new double[3], 3)));
      rejects("alpha", () -> kernels.entmaxBisectLoss(g.tf, x, y, g.input(new double[4], 4)));
      rejects("labels", () -> kernels.entmaxBisectLoss(g.tf, x, g.input(new double[2], 2), v));
      rejects("x", () -> kernels.entmaxBisect(g.tf, g.tf.constant(1.0), g.tf.constant(1.5)));
    }
  }

  /** The public ops check what they can see before building anything. */
  @Test
  void publicOpsCheckTheirArguments() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> x = g.input(new double[6], 2, 3);
      Operand<TInt32> y = g.labels(new int[2], 2);
      @SuppressWarnings("unchecked")
      Operand<TFloat64> float32 = (Operand<TFloat64>) (Operand<?>) g.input32(new double[3], 3);
      rejects("range", () -> Losses.plifCrossEntropy(g.tf, x, y, g.input(new double[3], 3), -2));
      rejects("slopesRaw", () -> Losses.plifCrossEntropy(g.tf, x, y, float32, 1));
      rejects("slopesRaw",
          () -> Losses.plifCrossEntropy(g.tf, x, y, g.input(new double[4], 2, 2), 1));
      rejects("labels", () -> Losses.sigsoftmaxCrossEntropy(g.tf, x, g.labels(new int[3], 3)));
      rejects("alpha", () -> Losses.entmaxBisectLoss(g.tf, x, y, 0.5));
      rejects("alpha", () -> Mappings.entmaxBisect(g.tf, x, float32, -1));
    }
  }

  @Test
  void newKernelsRejectBadRunTimeInput() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> x = g.input(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
      Operand<TInt32> good = g.labels(new int[] {0, 2}, 2);
      Operand<TInt32> bad = g.labels(new int[] {0, 3}, 2);
      Operand<TFloat64> v = g.input(new double[] {0.1, 0.2}, 2);
      failsAtRun("labels", g, kernels.sigsoftmaxCrossEntropy(g.tf, x, bad));
      failsAtRun("labels", g, kernels.plifCrossEntropy(g.tf, x, bad, v, 1));
      failsAtRun("labels", g, kernels.entmaxBisectLoss(g.tf, x, bad, g.tf.constant(1.5)));
      failsAtRun("slopes_raw",
          g, kernels.plifCrossEntropy(g.tf, x, good, g.inputUnknownShape(new double[0], 0), 1));
      for (double a : new double[] {0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
        Operand<TFloat64> alpha = g.inputUnknownShape(new double[] {1.5, a}, 2);
        failsAtRun("alpha", g, kernels.entmaxBisect(g.tf, x, alpha));
        failsAtRun("alpha", g, kernels.entmaxBisectLoss(g.tf, x, good, alpha));
      }
      failsAtRun("alpha", g, kernels.entmaxBisect(g.tf, x, g.inputUnknownShape(new double[3], 3)));
      failsAtRun("x", g, kernels.entmaxBisect(g.tf, g.inputUnknownShape(new double[] {1}), g.tf.constant(1.5)));
      failsAtRun("x", g, kernels.sigsoftmaxCrossEntropy(g.tf, g.inputUnknownShape(new double[] {1}), good));
      for (String range : List.of("NaN", "-1", "x")) {
        failsAtRun("range", g,
            rawOp(g, "BeyondPlifCrossEntropy", "RawPlifCe", "range", range, x, good, v));
      }
      Operand<?> grad = rawOp(g, "BeyondEntmaxBisectLossGrad", "RawEntmaxGrad", null, null,
          g.input(new double[] {1}, 1), x, g.input(new double[] {0, 0}, 2), good,
          g.tf.constant(1.5));
      failsAtRun("dloss", g, grad);
    }
  }

  @Test
  void plifRunTimeShapesAndAttributes() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> x = g.input(new double[] {0.5, -1, 2}, 3);
      failsAtRun("slopes_raw", g, kernels.plif(g.tf, x, g.inputUnknownShape(new double[0], 0), 1));
      failsAtRun("slopes_raw",
          g, kernels.plif(g.tf, x, g.inputUnknownShape(new double[4], 2, 2), 1));
      for (String range : List.of("NaN", "Infinity", "0.0", "-2", "abc")) {
        failsAtRun("range", g,
            rawOp(g, "BeyondPlif", "RawPlif", "range", range, x, g.input(new double[] {0.1, 0.2}, 2)));
      }
    }
  }

  @Test
  void rowOpsRejectScalarsAndBadLabels() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> scalar = g.inputUnknownShape(new double[] {1});
      failsAtRun("x", g, kernels.softmax(g.tf, scalar, SoftmaxMode.LOG_SOFTMAX));
      failsAtRun("x", g, kernels.threshold(g.tf, scalar, Sparse.SPARSEMAX));
      Operand<TFloat64> x = g.input(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
      failsAtRun("labels", g,
          kernels.fenchelYoungLoss(g.tf, x, g.labels(new int[] {0, 3}, 2), Sparse.SPARSEMAX));
      failsAtRun("labels", g,
          kernels.fenchelYoungLoss(g.tf, x, g.labels(new int[] {-1, 0}, 2), Sparse.ENTMAX15));
      failsAtRun("labels", g,
          kernels.fenchelYoungLoss(g.tf, x, g.labels(new int[] {0, 1, 2}, 3), Sparse.ENTMAX15));
      Operand<?> raw = rawOp(g, "BeyondSoftmax", "RawSoftmax", "mode", "softmax", x);
      Operand<?> grad = rawOp(g, "BeyondSoftmaxGrad", "RawSoftmaxGrad", "mode", "softmax", x, x,
          g.input(new double[] {1, 2, 3}, 3));
      failsAtRun("lse", g, grad);
      g.run(raw);
    }
  }

  @Test
  void nanAndInfinityRunWithoutCrash() {
    double nan = Double.NaN;
    double inf = Double.POSITIVE_INFINITY;
    double[] x = {nan, 1, 2, inf, 0, -inf, nan, nan, nan, inf, inf, inf};
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> in = g.input(x, 4, 3);
      Operand<TFloat64> v = g.input(new double[] {nan, 1, inf}, 3);
      List<Operand<?>> outs = new java.util.ArrayList<>();
      for (SoftmaxMode m : SoftmaxMode.values()) {
        Operand<TFloat64> y = kernels.softmax(g.tf, in, m);
        outs.add(y);
        outs.addAll(g.grads(g.tf.reduceSum(y, g.tf.constant(new int[] {0, 1})), List.of(in)));
      }
      for (Sparse s : Sparse.values()) {
        outs.add(kernels.threshold(g.tf, in, s));
        Operand<TFloat64> loss = kernels.fenchelYoungLoss(g.tf, in, g.labels(new int[] {0, 1, 2, 0}, 4), s);
        outs.add(loss);
        outs.addAll(g.grads(g.tf.reduceSum(loss, g.tf.constant(0)), List.of(in)));
      }
      Operand<TFloat64> y = kernels.plif(g.tf, in, v, 1.0);
      outs.add(y);
      outs.addAll(g.grads(g.tf.reduceSum(y, g.tf.constant(new int[] {0, 1})), List.of(in, v)));
      Operand<TInt32> labels = g.labels(new int[] {0, 1, 2, 0}, 4);
      Operand<TFloat64> alpha = g.input(new double[] {1, 1.5, 2, 3}, 4);
      Map<Operand<TFloat64>, List<Operand<TFloat64>>> outsAndInputs = Map.of(
          kernels.sigsoftmaxCrossEntropy(g.tf, in, labels), List.of(in),
          kernels.plifCrossEntropy(g.tf, in, labels, v, 1.0), List.of(in, v),
          kernels.entmaxBisect(g.tf, in, alpha), List.of(in, alpha),
          kernels.entmaxBisectLoss(g.tf, in, labels, alpha), List.of(in, alpha));
      outsAndInputs.forEach((out, wrt) -> {
        outs.add(out);
        outs.addAll(g.grads(g.tf.reduceSum(out, g.tf.range(g.tf.constant(0), g.tf.rank(out), g.tf.constant(1))), wrt));
      });
      g.run(outs); // values are NaN or inf where the input is; the point is that it returns
    }
  }
}
