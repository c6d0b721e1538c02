package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.tensorflow.DeviceSpec;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * The sharded softmax cross-entropy against the unsharded one computed here in double precision,
 * its gradients against finite differences in float64 (inputs, every shard's weights and biases,
 * and the combination of log-sum-exps on its own), where its backward ops are placed, and its
 * errors.
 */
class ShardedSoftmaxTest {
  private static final int N = 5;
  private static final int D = 6;
  private static final int[] SPLIT = {3, 2, 4}; // 9 classes in three shards
  private static final int[] LABELS = {0, 4, 8, 2, 5};

  /** The inputs of one test: h [N, D], W [9, D] and b [9] split into shards. */
  private record Layer(Operand<TFloat64> h, List<Operand<TFloat64>> w, List<Operand<TFloat64>> b,
      Operand<TInt32> labels, Operand<TFloat64> loss) {}

  private static Layer layer(TestGraph g, Random r) {
    Operand<TFloat64> h = g.input(gaussian(r, N * D, 1), N, D);
    List<Operand<TFloat64>> w = new ArrayList<>();
    List<Operand<TFloat64>> b = new ArrayList<>();
    List<ShardedSoftmax.Shard<TFloat64>> shards = new ArrayList<>();
    Operand<TInt32> labels = g.labels(LABELS, N);
    int offset = 0;
    for (int size : SPLIT) {
      w.add(g.input(gaussian(r, size * D, 1.5), size, D));
      b.add(g.input(gaussian(r, size, 0.5), size));
      shards.add(ShardedSoftmax.linearShard(g.tf, h, w.get(w.size() - 1), b.get(b.size() - 1), labels, offset));
      offset += size;
    }
    return new Layer(h, w, b, labels, ShardedSoftmax.crossEntropy(g.tf, shards));
  }

  @Test
  void equalsTheUnshardedCrossEntropy() {
    try (TestGraph g = new TestGraph()) {
      Layer l = layer(g, new Random(1));
      double[] h = g.value(l.h());
      List<double[]> w = l.w().stream().map(g::value).toList();
      List<double[]> b = l.b().stream().map(g::value).toList();
      double[] expected = new double[N];
      for (int n = 0; n < N; n++) {
        List<Double> z = new ArrayList<>();
        for (int p = 0; p < SPLIT.length; p++) {
          for (int c = 0; c < SPLIT[p]; c++) {
            double v = b.get(p)[c];
            for (int k = 0; k < D; k++) {
              v += h[n * D + k] * w.get(p)[c * D + k];
            }
            z.add(v);
          }
        }
        double max = z.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double sum = z.stream().mapToDouble(v -> Math.exp(v - max)).sum();
        expected[n] = max + Math.log(sum) - z.get(LABELS[n]);
      }
      TestGraph.assertClose("cross-entropy", expected, g.run(l.loss()), 1e-12, 1e-12);
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    Random r = new Random(2);
    try (TestGraph g = new TestGraph()) {
      Layer l = layer(g, r);
      Operand<TFloat64> dy = g.input(gaussian(r, N, 1), N);
      List<Operand<TFloat64>> inputs = new ArrayList<>(List.of(l.h()));
      List<String> names = new ArrayList<>(List.of("dh"));
      for (int p = 0; p < SPLIT.length; p++) {
        inputs.add(l.w().get(p));
        inputs.add(l.b().get(p));
        names.add("dW" + p);
        names.add("db" + p);
      }
      g.assertGradients(g.objective(l.loss(), dy), inputs, names, 1e-6, 1e-7, 1e-6);
    }
  }

  /** Log-sum-exps far apart (the stable form) and one shard alone. */
  @Test
  void combinationMatchesFiniteDifferences() {
    double[][] cases = {{2.0, -1.0, 0.5, 40.0, -35.0, 41.0}, {0.3, -0.7}};
    for (double[] values : cases) {
      int shards = values.length / 2;
      try (TestGraph g = new TestGraph()) {
        List<Operand<TFloat64>> parts = new ArrayList<>();
        for (int p = 0; p < shards; p++) {
          parts.add(g.input(new double[] {values[2 * p], values[2 * p + 1]}, 2));
        }
        Operand<TFloat64> lse = ShardedSoftmax.logSumExp(g.tf, parts);
        double[] expected = new double[2];
        for (int n = 0; n < 2; n++) {
          double max = Double.NEGATIVE_INFINITY;
          for (int p = 0; p < shards; p++) {
            max = Math.max(max, values[2 * p + n]);
          }
          double sum = 0;
          for (int p = 0; p < shards; p++) {
            sum += Math.exp(values[2 * p + n] - max);
          }
          expected[n] = max + Math.log(sum);
        }
        TestGraph.assertClose("logsumexp", expected, g.run(lse), 1e-12, 1e-12);
        Operand<TFloat64> dy = g.input(new double[] {0.7, -1.3}, 2);
        g.assertGradients(g.objective(lse, dy), parts,
            parts.stream().map(p -> "dlse").toList(), 1e-6, 1e-8, 1e-6);
      }
    }
  }

  @Test
  void aLabelInNoShardFailsTheRun() {
    try (TestGraph g = new TestGraph()) {
      Random r = new Random(3);
      Operand<TFloat64> h = g.input(gaussian(r, 2 * D, 1), 2, D);
      Operand<TInt32> labels = g.labels(new int[] {1, 3}, 2); // class 3 is in neither [0, 2) nor [4, 6)
      var a = ShardedSoftmax.linearShard(g.tf, h, g.input(gaussian(r, 2 * D, 1), 2, D), g.input(new double[2], 2), labels, 0);
      var b = ShardedSoftmax.linearShard(g.tf, h, g.input(gaussian(r, 2 * D, 1), 2, D), g.input(new double[2], 2), labels, 4);
      Operand<TFloat64> loss = ShardedSoftmax.crossEntropy(g.tf, List.of(a, b));
      Exception e = assertThrows(Exception.class, () -> g.run(loss));
      assertTrue(e.getMessage().contains("of exactly one shard"), e.getMessage());
    }
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void badOperandsNameTheParameter() {
    try (TestGraph g = new TestGraph()) {
      Ops tf = g.tf;
      Operand<TFloat64> h = g.input(new double[N * D], N, D);
      Operand<TInt32> labels = g.labels(LABELS, N);
      Operand<TFloat64> w = g.input(new double[3 * D], 3, D);
      Operand<TFloat64> b = g.input(new double[3], 3);
      assertMessage("weights must have rank 2",
          () -> ShardedSoftmax.linearShard(tf, h, g.input(new double[3], 3), b, labels, 0));
      assertMessage("bias must match the classes of weights",
          () -> ShardedSoftmax.linearShard(tf, h, w, g.input(new double[4], 4), labels, 0));
      assertMessage("weights must match the features of h",
          () -> ShardedSoftmax.linearShard(tf, h, g.input(new double[3 * 5], 3, 5), b, labels, 0));
      assertMessage("weights must have the dtype of h",
          () -> ShardedSoftmax.linearShard(tf, (Operand) h, (Operand) tf.dtypes.cast(w, TFloat32.class), (Operand) b, labels, 0));
      assertMessage("offset must be in [0, ",
          () -> ShardedSoftmax.linearShard(tf, h, w, b, labels, -1));
      assertMessage("labels must be an integer tensor", () -> ShardedSoftmax.linearShard(tf, h, w, b, h, 0));
      assertMessage("weights must have a known number of classes",
          () -> ShardedSoftmax.linearShard(tf, h,
              tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1, D))), b, labels, 0));
      assertMessage("shardLogSumExps must hold at least one shard", () -> ShardedSoftmax.logSumExp(tf, List.of()));
    }
  }

  /**
   * With each shard built on its own device, every op that makes an [N, V_p] tensor on the way to
   * the loss and the weight gradients — forward and backward — and the op that makes the shard's
   * weight gradient are on that shard's device: the logits never cross to the device of the loss.
   */
  @Test
  void logitsAndTheirGradientsStayOnTheShardsDevice() {
    try (TestGraph g = new TestGraph()) {
      Ops worker = g.tf.withDevice(DeviceSpec.newBuilder().job("worker").task(0).build());
      Random r = new Random(4);
      Operand<TFloat64> h = worker.identity(g.input(gaussian(r, N * D, 1), N, D));
      Operand<TInt32> labels = g.labels(LABELS, N);
      List<ShardedSoftmax.Shard<TFloat64>> shards = new ArrayList<>();
      List<Operand<TFloat64>> weights = new ArrayList<>();
      int offset = 0;
      for (int p = 0; p < SPLIT.length; p++) {
        Ops ps = g.tf.withDevice(DeviceSpec.newBuilder().job("ps").task(p).build());
        Operand<TFloat64> w = ps.identity(g.input(gaussian(r, SPLIT[p] * D, 1), SPLIT[p], D));
        weights.add(w);
        shards.add(ShardedSoftmax.linearShard(ps, h, w, ps.identity(g.input(new double[SPLIT[p]], SPLIT[p])), labels, offset));
        offset += SPLIT[p];
      }
      Operand<TFloat64> loss = worker.reduceSum(ShardedSoftmax.crossEntropy(worker, shards), worker.constant(0));
      List<Operand<?>> grads = g.grads(loss, weights);
      for (int p = 0; p < SPLIT.length; p++) {
        assertEquals("/job:ps/task:" + p, ((GraphOperation) grads.get(p).op()).device(), "device of dW" + p);
      }
      int checked = 0;
      Set<Operand<?>> fetched = new HashSet<>(grads);
      fetched.add(loss);
      for (GraphOperation op : g.graph.subgraphTo(fetched)) {
        for (int i = 0; i < op.numOutputs(); i++) {
          Shape s = op.output(i).shape();
          for (int p = 0; p < SPLIT.length; p++) {
            if (s.numDimensions() == 2 && s.get(0) == N && s.get(1) == SPLIT[p] && !op.type().equals("Placeholder")) {
              assertTrue(op.device().startsWith("/job:ps/task:"), op.name() + " (" + op.type() + ") makes " + s
                  + " on '" + op.device() + "'");
              checked++;
            }
          }
        }
      }
      assertTrue(checked >= 6 * SPLIT.length, "found only " + checked + " [N, V_p] ops");
    }
  }

  private static void assertMessage(String start, Runnable build) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
    assertTrue(e.getMessage().startsWith(start), e.getMessage());
  }

  private static double[] gaussian(Random r, int n, double scale) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = scale * r.nextGaussian();
    }
    return x;
  }
}
