package org.beyondsoftmax.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.beyondsoftmax.ops.ShardedSoftmax;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The small model of the cluster tests: softmax regression of {@value #CLASSES} classes on
 * {@value #FEATURES} features, its class weights and biases partitioned by class range over the ps
 * tasks, each shard's logits reduced on its own task ({@link ShardedSoftmax}), the mean
 * cross-entropy of a batch on the worker. Built with devices for a cluster, or without for the
 * one-process reference. Initial values and the batch of (worker, step) are fixed by seeds.
 */
final class ShardedRegression {
  static final int CLASSES = 10;
  static final int FEATURES = 6;
  static final int BATCH = 8;

  final Placeholder<TFloat32> x;
  final Placeholder<TInt32> labels;
  final Operand<TFloat32> loss;
  /** Per shard: its weights [V_p, FEATURES] and biases [V_p]. */
  final List<Variable<TFloat32>> variables = new ArrayList<>();
  /** The gradient of the loss in each variable, in the order of {@link #variables}. */
  final List<Operand<TFloat32>> gradients = new ArrayList<>();

  /**
   * @param shards how many class ranges (on ps tasks 0..shards-1 when {@code worker} is given)
   * @param worker the worker task that computes the loss, or null for a graph without devices
   */
  ShardedRegression(Ops tf, int shards, Task worker) {
    Ops w = worker == null ? tf : tf.withDevice(worker.device());
    x = w.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(BATCH, FEATURES)));
    labels = w.withName("labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(BATCH)));
    Random init = new Random(11);
    List<Operand<TFloat32>> reads = new ArrayList<>();
    List<ShardedSoftmax.Shard<TFloat32>> parts = new ArrayList<>();
    int offset = 0;
    for (int p = 0; p < shards; p++) {
      int size = CLASSES / shards + (p < CLASSES % shards ? 1 : 0);
      Ops ps = worker == null ? tf.withSubScope("shard_" + p) : tf.withDevice(Task.ps(p).device()).withSubScope("shard_" + p);
      Variable<TFloat32> weights = ps.withName("weights").variable(
          ps.withInitScope().constant(Shape.of(size, FEATURES), DataBuffers.of(gaussian(init, size * FEATURES, 0.3f))));
      Variable<TFloat32> bias = ps.withName("bias").variable(
          ps.withInitScope().constant(Shape.of(size), DataBuffers.of(gaussian(init, size, 0.1f))));
      Operand<TFloat32> weightsRead = ps.identity(weights);
      Operand<TFloat32> biasRead = ps.identity(bias);
      variables.addAll(List.of(weights, bias));
      reads.addAll(List.of(weightsRead, biasRead));
      parts.add(ShardedSoftmax.linearShard(ps, x, weightsRead, biasRead, labels, offset));
      offset += size;
    }
    loss = w.math.mean(ShardedSoftmax.crossEntropy(w, parts), w.constant(0));
    tf.gradients(loss, reads).dy().forEach(g -> gradients.add((Operand<TFloat32>) g));
  }

  /** The gradients paired with their variables, for {@link SyncReplicas#build}. */
  List<SyncReplicas.Gradient> pairs() {
    List<SyncReplicas.Gradient> out = new ArrayList<>();
    for (int i = 0; i < variables.size(); i++) {
      out.add(new SyncReplicas.Gradient(variables.get(i), gradients.get(i)));
    }
    return out;
  }

  /** The batch of worker {@code w} at step {@code s}: the same in every process. */
  Map<Operand<?>, Tensor> batch(int w, long s) {
    Random r = new Random(1_000_003L * w + s);
    int[] y = new int[BATCH];
    for (int i = 0; i < BATCH; i++) {
      y[i] = r.nextInt(CLASSES);
    }
    Map<Operand<?>, Tensor> feeds = new LinkedHashMap<>();
    feeds.put(x, TFloat32.tensorOf(Shape.of(BATCH, FEATURES), DataBuffers.of(gaussian(r, BATCH * FEATURES, 1f))));
    feeds.put(labels, TInt32.tensorOf(Shape.of(BATCH), DataBuffers.of(y)));
    return feeds;
  }

  private static float[] gaussian(Random r, int n, float scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = scale * (float) r.nextGaussian();
    }
    return a;
  }
}
