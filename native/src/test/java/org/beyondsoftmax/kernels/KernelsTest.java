package org.beyondsoftmax.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.beyondsoftmax.ops.Kernels;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.beyondsoftmax.ops.Reduction;
import org.beyondsoftmax.ops.testing.RandomValues;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * The provider is found and loaded; Kernels.portable(), the system property and GPU placements
 * give graphs of standard ops only; and a graph of fused kernels trains.
 */
class KernelsTest {
  private static void buildAll(Ops tf, Operand<TFloat64> x, Operand<TFloat64> v, TestGraph g) {
    Mappings.plif(tf, x, v, 2.0);
    Mappings.logSigsoftmax(tf, x);
    Mappings.softmax(tf, x);
    Mappings.sparsemax(tf, x);
    Losses.entmax15Loss(tf, x, g.labels(new int[] {0, 1}, 2));
  }

  @Test
  void loadedFromThisModule() {
    assertTrue(Kernels.nativeLoaded(), Kernels.status());
    assertTrue(Kernels.status().contains("libbeyondkernels.so"), Kernels.status());
  }

  @Test
  void portableScopesNestAndCloseOnce() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> x = g.input(new double[6], 2, 3);
      Operand<TFloat64> v = g.input(new double[] {0.1, 0.2}, 2);
      try (var outer = Kernels.portable()) {
        try (var inner = Kernels.portable()) {
          buildAll(g.tf, x, v, g);
          inner.close(); // a second close is harmless
        }
        assertTrue(Kernels.isPortable());
        buildAll(g.tf, x, v, g);
      }
      assertEquals(List.of(), List.copyOf(g.opTypes("Beyond")));
      assertFalse(Kernels.isPortable());
      buildAll(g.tf, x, v, g);
      assertTrue(g.opTypes("Beyond").containsAll(
          List.of("BeyondPlif", "BeyondSoftmax", "BeyondSparseThreshold", "BeyondFenchelYoungLoss")));
    }
  }

  @Test
  void systemPropertyAndGpuPlacementsArePortable() {
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> x = g.input(new double[6], 2, 3);
      Operand<TFloat64> v = g.input(new double[] {0.1, 0.2}, 2);
      System.setProperty(Kernels.PROPERTY, "portable");
      try {
        assertTrue(Kernels.isPortable());
        buildAll(g.tf, x, v, g);
      } finally {
        System.clearProperty(Kernels.PROPERTY);
      }
      Ops gpu = g.tf.withDevice(DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.GPU).deviceIndex(0).build());
      buildAll(gpu, x, v, g);
      assertEquals(List.of(), List.copyOf(g.opTypes("Beyond")));
      Ops cpu = g.tf.withDevice(DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build());
      Mappings.logSoftmax(cpu, x);
      assertEquals(List.of("BeyondSoftmax"), List.copyOf(g.opTypes("Beyond")));
    }
    CpuKernels k = new CpuKernels();
    assertFalse(k.usableOn("/device:GPU:0"));
    assertTrue(k.usableOn("/job:localhost/replica:0/task:0/device:CPU:0"));
  }

  /**
   * Sums over rows that threads share (PLIF slope gradients, a single alpha's gradient) come out
   * bit for bit the same in every run: shapes large enough for several threads, run 10 times.
   */
  @Test
  void sharedSumsAreTheSameInEveryRun() {
    Random r = new Random(4);
    int rows = 2000;
    int cols = 200;
    double[] x = RandomValues.gaussian(r, rows * cols, 3);
    int[] y = RandomValues.labels(r, rows, cols);
    double[] v = RandomValues.gaussian(r, 5000, 1);
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat32> xin = g.input32(x, rows, cols);
      Operand<TFloat32> vin = g.input32(v, v.length);
      Operand<TFloat32> alpha = g.input32(new double[] {1.5});
      var labels = g.labels(y, rows);
      Operand<TFloat32> loss = Losses.plifCrossEntropy(g.tf, xin, labels, vin, 4.0,
          LossOptions.defaults().withReduction(Reduction.SUM));
      Operand<TFloat32> p = new CpuKernels().entmaxBisect(g.tf, xin, alpha);
      Operand<TFloat32> objective = g.tf.math.add(loss,
          g.tf.reduceSum(g.tf.math.mul(p, xin), g.tf.constant(new int[] {0, 1})));
      List<Operand<?>> grads = g.grads(objective, List.of(vin, alpha));
      List<double[]> first = g.run(grads);
      for (int run = 0; run < 9; run++) {
        List<double[]> again = g.run(grads);
        assertArrayEquals(first.get(0), again.get(0), "dslopes_raw, run " + run);
        assertArrayEquals(first.get(1), again.get(1), "dalpha, run " + run);
      }
    }
  }

  /** Gradient descent on logits and PLIF slopes through fused kernels lowers the loss. */
  @Test
  void trains() {
    Random r = new Random(9);
    int rows = 16;
    int cols = 12;
    double[] z = RandomValues.gaussian(r, rows * cols, 1);
    int[] labels = RandomValues.labels(r, rows, cols);
    double[] v = new double[20];
    try (TestGraph g = new TestGraph()) {
      Operand<TFloat64> zin = g.input(z, rows, cols);
      Operand<TFloat64> vin = g.input(v, 20);
      var y = g.labels(labels, rows);
      LossOptions mean = LossOptions.defaults().withReduction(Reduction.MEAN);
      Operand<TFloat64> logp = Mappings.logSigsoftmax(g.tf, Mappings.plif(g.tf, zin, vin, 3.0));
      Operand<TInt32> rowIndex = g.tf.range(g.tf.constant(0), g.tf.constant(rows), g.tf.constant(1));
      Operand<TFloat64> picked =
          g.tf.gatherNd(logp, g.tf.stack(List.of(rowIndex, y), Stack.axis(1L)));
      Operand<TFloat64> nll = g.tf.math.neg(g.tf.math.mean(picked, g.tf.constant(0)));
      Operand<TFloat64> loss = g.tf.math.add(nll, g.tf.math.add(
          Losses.sparsemaxLoss(g.tf, zin, y, mean), Losses.entmax15Loss(g.tf, zin, y, mean)));
      List<Operand<?>> grads = g.grads(loss, List.of(zin, vin));
      double first = g.run(loss)[0];
      double last = first;
      for (int step = 0; step < 30; step++) {
        List<double[]> out = g.run(List.of(loss, grads.get(0), grads.get(1)));
        last = out.get(0)[0];
        double[] zs = g.value(zin);
        double[] vs = g.value(vin);
        for (int i = 0; i < zs.length; i++) {
          zs[i] -= 2.0 * out.get(1)[i];
        }
        for (int i = 0; i < vs.length; i++) {
          vs[i] -= 2.0 * out.get(2)[i];
        }
        g.set(zin, zs);
        g.set(vin, vs);
      }
      assertTrue(g.opTypes("Beyond").size() >= 4, g.opTypes("Beyond").toString());
      assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
    }
  }
}
