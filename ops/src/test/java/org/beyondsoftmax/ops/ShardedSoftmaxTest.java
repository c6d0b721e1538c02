package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.beyondsoftmax.ops.testing.RandomValues;
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
 * The sharded softmax cross-entropy (linear, sigsoftmax and PLIF scores; the mixture of softmaxes)
 * against the unsharded one computed here in double precision, its gradients against finite
 * differences in float64 (inputs, every shard's weights and biases, PLIF's slopes, the prior, and
 * the combination of log-sum-exps on its own), where its backward ops are placed, and its errors.
 */
class ShardedSoftmaxTest {
  private static final int N = 5;
  private static final int D = 6;
  private static final int[] SPLIT = {3, 2, 4}; // 9 classes in three shards
  private static final int[] LABELS = {0, 4, 8, 2, 5};

  private static final int KNOTS = 7;
  private static final double RANGE = 2.5;

  /** The score functions of the shards. */
  private enum Kind { LINEAR, SIGSOFTMAX, PLIF }

  /**
   * The inputs of one test: h [rows, D], W [9, D] and b [9] split into shards (b null: no bias),
   * PLIF's raw slopes [KNOTS], and the shards over h with {@code labels}.
   */
  private record Layer(Operand<TFloat64> h, List<Operand<TFloat64>> w, List<Operand<TFloat64>> b,
      Operand<TFloat64> slopes, List<ShardedSoftmax.Shard<TFloat64>> shards) {}

  private static Layer layer(TestGraph g, Random r, Kind kind, int[] labels, boolean bias) {
    int rows = labels.length;
    Operand<TFloat64> h = g.input(RandomValues.gaussian(r, rows * D, 1), rows, D);
    Operand<TFloat64> slopes = g.input(RandomValues.gaussian(r, KNOTS, 0.5), KNOTS);
    List<Operand<TFloat64>> w = new ArrayList<>();
    List<Operand<TFloat64>> b = new ArrayList<>();
    List<ShardedSoftmax.Shard<TFloat64>> shards = new ArrayList<>();
    Operand<TInt32> y = g.labels(labels, rows);
    int offset = 0;
    for (int size : SPLIT) {
      Operand<TFloat64> wp = g.input(RandomValues.gaussian(r, size * D, 1.5), size, D);
      Operand<TFloat64> bp = bias ? g.input(RandomValues.gaussian(r, size, 0.5), size) : null;
      w.add(wp);
      b.add(bp);
      shards.add(switch (kind) {
        case LINEAR -> ShardedSoftmax.linearShard(g.tf, h, wp, bp, y, offset);
        case SIGSOFTMAX -> ShardedSoftmax.sigsoftmaxShard(g.tf, h, wp, bp, y, offset);
        case PLIF -> ShardedSoftmax.plifShard(g.tf, h, wp, bp, slopes, RANGE, y, offset);
      });
      offset += size;
    }
    return new Layer(h, w, b, slopes, shards);
  }

  /** The scores s_c of every class for row n of h, computed here in double precision. */
  private static double[] scores(TestGraph g, Layer l, Kind kind, int n) {
    double[] h = g.value(l.h());
    double[] slopes = g.value(l.slopes());
    double[] s = new double[9];
    int c = 0;
    for (int p = 0; p < SPLIT.length; p++) {
      double[] w = g.value(l.w().get(p));
      double[] b = l.b().get(p) == null ? new double[SPLIT[p]] : g.value(l.b().get(p));
      for (int j = 0; j < SPLIT[p]; j++, c++) {
        double z = b[j];
        for (int k = 0; k < D; k++) {
          z += h[n * D + k] * w[j * D + k];
        }
        s[c] = switch (kind) {
          case LINEAR -> z;
          case SIGSOFTMAX -> z - Math.log1p(Math.exp(-z));
          case PLIF -> plif(z, slopes);
        };
      }
    }
    return s;
  }

  /** f(z) = s_i (z + T - i delta) + delta sum_{j<i} s_j, s = softplus(v), i clamped to [0, K). */
  private static double plif(double z, double[] v) {
    double delta = 2 * RANGE / KNOTS;
    int i = (int) Math.max(0, Math.min(KNOTS - 1, Math.floor((z + RANGE) / delta)));
    double below = 0;
    for (int j = 0; j < i; j++) {
      below += Math.log1p(Math.exp(v[j]));
    }
    return Math.log1p(Math.exp(v[i])) * (z + RANGE - i * delta) + delta * below;
  }

  private static double logSumExp(double[] x) {
    double max = Double.NEGATIVE_INFINITY;
    for (double v : x) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (double v : x) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum);
  }

  @Test
  void equalsTheUnshardedCrossEntropy() {
    for (Kind kind : Kind.values()) {
      for (boolean bias : new boolean[] {true, false}) {
        try (TestGraph g = new TestGraph()) {
          Layer l = layer(g, new Random(1), kind, LABELS, bias);
          double[] expected = new double[N];
          for (int n = 0; n < N; n++) {
            double[] s = scores(g, l, kind, n);
            expected[n] = logSumExp(s) - s[LABELS[n]];
          }
          TestGraph.assertClose(kind + " cross-entropy, bias " + bias, expected,
              g.run(ShardedSoftmax.crossEntropy(g.tf, l.shards())), 1e-12, 1e-12);
        }
      }
    }
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    for (Kind kind : Kind.values()) {
      Random r = new Random(2);
      try (TestGraph g = new TestGraph()) {
        Layer l = layer(g, r, kind, LABELS, true);
        Operand<TFloat64> dy = g.input(RandomValues.gaussian(r, N, 1), N);
        List<Operand<TFloat64>> inputs = new ArrayList<>(List.of(l.h()));
        List<String> names = new ArrayList<>(List.of(kind + " dh"));
        for (int p = 0; p < SPLIT.length; p++) {
          inputs.add(l.w().get(p));
          inputs.add(l.b().get(p));
          names.add(kind + " dW" + p);
          names.add(kind + " db" + p);
        }
        if (kind == Kind.PLIF) {
          inputs.add(l.slopes());
          names.add("dslopes");
        }
        g.assertGradients(g.objective(ShardedSoftmax.crossEntropy(g.tf, l.shards()), dy), inputs, names, 1e-6, 1e-7, 1e-6);
      }
    }
  }

  /**
   * A mixture of K = 2 softmaxes over sharded classes: rows n K + k of h are the contexts of
   * example n's component k, all labelled y_n; log p(y_n) against the sum over components here, and
   * its gradients in the contexts, the shards and the prior.
   */
  @Test
  void mixtureOfShardedSoftmaxesEqualsTheSumOverComponentsAndItsGradients() {
    int k = 2;
    int[] rowLabels = new int[N * k];
    for (int i = 0; i < rowLabels.length; i++) {
      rowLabels[i] = LABELS[i / k];
    }
    for (Kind kind : Kind.values()) {
      Random r = new Random(5);
      try (TestGraph g = new TestGraph()) {
        Layer l = layer(g, r, kind, rowLabels, true);
        Operand<TFloat64> prior = g.input(RandomValues.gaussian(r, N * k, 1), N, k);
        Operand<TFloat64> logp = ShardedSoftmax.mixtureLogProbability(g.tf, l.shards(), prior);
        double[] pi = g.value(prior);
        double[] expected = new double[N];
        for (int n = 0; n < N; n++) {
          double[] logPrior = {pi[n * k], pi[n * k + 1]};
          double norm = logSumExp(logPrior);
          double p = 0;
          for (int c = 0; c < k; c++) {
            double[] s = scores(g, l, kind, n * k + c);
            p += Math.exp(logPrior[c] - norm) * Math.exp(s[LABELS[n]] - logSumExp(s));
          }
          expected[n] = Math.log(p);
        }
        TestGraph.assertClose(kind + " mixture log p", expected, g.run(logp), 1e-12, 1e-12);
        Operand<TFloat64> dy = g.input(RandomValues.gaussian(r, N, 1), N);
        List<Operand<TFloat64>> inputs = new ArrayList<>(List.of(l.h(), prior, l.w().get(1), l.b().get(2)));
        List<String> names = List.of(kind + " dcontexts", "dprior", "dW1", "db2");
        g.assertGradients(g.objective(logp, dy), inputs, names, 1e-6, 1e-7, 1e-6);
      }
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
      Operand<TFloat64> h = g.input(RandomValues.gaussian(r, 2 * D, 1), 2, D);
      Operand<TInt32> labels = g.labels(new int[] {1, 3}, 2); // class 3 is in neither [0, 2) nor [4, 6)
      var a = ShardedSoftmax.linearShard(g.tf, h, g.input(RandomValues.gaussian(r, 2 * D, 1), 2, D), g.input(new double[2], 2), labels, 0);
      var b = ShardedSoftmax.linearShard(g.tf, h, g.input(RandomValues.gaussian(r, 2 * D, 1), 2, D), g.input(new double[2], 2), labels, 4);
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
    for (Kind kind : Kind.values()) {
      logitsAndTheirGradientsStayOnTheShardsDevice(kind);
    }
  }

  private static void logitsAndTheirGradientsStayOnTheShardsDevice(Kind kind) {
    try (TestGraph g = new TestGraph()) {
      Ops worker = g.tf.withDevice(DeviceSpec.newBuilder().job("worker").task(0).build());
      Random r = new Random(4);
      Operand<TFloat64> h = worker.identity(g.input(RandomValues.gaussian(r, N * D, 1), N, D));
      Operand<TInt32> labels = g.labels(LABELS, N);
      List<ShardedSoftmax.Shard<TFloat64>> shards = new ArrayList<>();
      List<Operand<TFloat64>> weights = new ArrayList<>();
      int offset = 0;
      for (int p = 0; p < SPLIT.length; p++) {
        Ops ps = g.tf.withDevice(DeviceSpec.newBuilder().job("ps").task(p).build());
        Operand<TFloat64> w = ps.identity(g.input(RandomValues.gaussian(r, SPLIT[p] * D, 1), SPLIT[p], D));
        Operand<TFloat64> b = ps.identity(g.input(new double[SPLIT[p]], SPLIT[p]));
        weights.add(w);
        shards.add(switch (kind) {
          case LINEAR -> ShardedSoftmax.linearShard(ps, h, w, b, labels, offset);
          case SIGSOFTMAX -> ShardedSoftmax.sigsoftmaxShard(ps, h, w, b, labels, offset);
          case PLIF -> ShardedSoftmax.plifShard(ps, h, w, b, ps.identity(g.input(new double[KNOTS], KNOTS)), RANGE,
              labels, offset);
        });
        offset += SPLIT[p];
      }
      Operand<TFloat64> loss = worker.reduceSum(ShardedSoftmax.crossEntropy(worker, shards), worker.constant(0));
      List<Operand<?>> grads = g.grads(loss, weights);
      for (int p = 0; p < SPLIT.length; p++) {
        assertEquals("/job:ps/task:" + p, ((GraphOperation) grads.get(p).op()).device(), kind + ": device of dW" + p);
      }
      int checked = 0;
      Set<Operand<?>> fetched = new HashSet<>(grads);
      fetched.add(loss);
      for (GraphOperation op : g.graph.subgraphTo(fetched)) {
        for (int i = 0; i < op.numOutputs(); i++) {
          Shape s = op.output(i).shape();
          for (int p = 0; p < SPLIT.length; p++) {
            if (s.numDimensions() == 2 && s.get(0) == N && s.get(1) == SPLIT[p] && !op.type().equals("Placeholder")) {
              assertTrue(op.device().startsWith("/job:ps/task:"), kind + ": " + op.name() + " (" + op.type() + ") makes " + s
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
}
