package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssertThat;
import org.tensorflow.op.core.Gather;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * Softmax cross-entropy over classes split by range into shards that may live on different devices:
 * the output layer of a large vocabulary partitioned over parameter servers (lm_1b kept its softmax
 * in 9 shards; Jozefowicz et al. 2016). Shard p holds the classes [o_p, o_p + V_p) with logits
 * z_p = h W_pᵀ + b_p and reduces them, on its own device, to two numbers per example:
 * <pre>
 *   lse_p = log Σ_{c ∈ p} exp(z_c),        y_p = z_y · 1[y ∈ p]
 * </pre>
 * and the loss combines them exactly, since log Σ_c exp(z_c) = log Σ_p exp(lse_p):
 * <pre>
 *   CE(h, y) = logsumexp_p(lse_p) − Σ_p y_p
 * </pre>
 * Only [N] vectors cross between devices; the [N, V_p] logits stay on their shard.
 *
 * <p>Gradient of a shard (a custom gradient, built on the shard's device): with
 * π_c = exp(z_c − lse_p) and upstream gradients g_lse, g_y of lse_p and y_p,
 * <pre>
 *   dz = g_lse π + g_y onehot(y − o_p),   dh = dz W_p,   dW_p = dzᵀ h,   db_p = Σ_n dz
 * </pre>
 * so the softmax of the shard, its weight gradient and the update of those weights stay on the shard
 * too; only dh ([N, d]) goes back. The combination's gradient, d logsumexp / d lse_p =
 * exp(lse_p − logsumexp), is TensorFlow's own of the composite ops.
 */
public final class ShardedSoftmax {
  static final String SHARD_RULE = "sharded_softmax_shard";

  /**
   * What one shard contributes for each of N examples: its log-sum-exp lse_p, the label's logit y_p
   * (0 where the label is another shard's), and whether it holds the label.
   */
  public record Shard<T extends TNumber>(Operand<T> logSumExp, Operand<T> labelLogit, Operand<TBool> holdsLabel) {}

  static {
    CustomGradients.define(
        SHARD_RULE,
        (gradientScope, node, up) -> {
          Ops tf = DeviceScope.on(gradientScope, node.device());
          Operand<TNumber> forward = (Operand<TNumber>) (Operand<?>) node.input(0); // [2, N]: lse, y
          Operand<TNumber> h = (Operand<TNumber>) (Operand<?>) node.input(1);
          Operand<TNumber> w = (Operand<TNumber>) (Operand<?>) node.input(2);
          Operand<TNumber> z = (Operand<TNumber>) (Operand<?>) node.input(4);
          Operand<TInt32> local = (Operand<TInt32>) (Operand<?>) node.input(5);
          int classes = (int) CustomGradients.intAttr(node, "classes");
          List<Operand<TNumber>> g = rows(tf, (Operand<TNumber>) (Operand<?>) up.get(0));
          Operand<TNumber> lse = rows(tf, forward).get(0);
          Operand<TNumber> pi = tf.math.exp(tf.math.sub(z, column(tf, lse)));
          Operand<TNumber> onehot = tf.oneHot(local, tf.constant(classes), Rows.scalar(tf, 1, z), Rows.scalar(tf, 0, z));
          Operand<TNumber> dz =
              tf.math.add(tf.math.mul(column(tf, g.get(0)), pi), tf.math.mul(column(tf, g.get(1)), onehot));
          Operand<TNumber> dh = tf.linalg.matMul(dz, w);
          Operand<TNumber> dw = tf.linalg.matMul(dz, h, MatMul.transposeA(true));
          Operand<TNumber> db = tf.reduceSum(dz, tf.constant(0));
          return List.of(CustomGradients.passThrough(node, 0), dh, dw, db,
              CustomGradients.passThrough(node, 4), CustomGradients.passThrough(node, 5));
        });
  }

  private ShardedSoftmax() {}

  /**
   * The partial sums of the shard of a linear softmax layer that holds the classes
   * [offset, offset + V): z = h Wᵀ + b, lse = log Σ_c exp(z_c), y = z_label where the label is in
   * the shard. Build it on the shard's device ({@code tf.withDevice(...)}): the logits, the
   * shard's softmax and its gradients are computed there.
   *
   * @param h the inputs of the layer, [N, d], float32 or float64
   * @param weights the shard's class embeddings W, [V, d] with V known
   * @param bias the shard's biases b, [V]
   * @param labels the class of each example in the whole class range, [N], int32 or int64
   * @param offset o, the first class of the shard, in [0, 2^31 − V]
   */
  public static <T extends TNumber> Shard<T> linearShard(
      Ops tf, Operand<T> h, Operand<T> weights, Operand<T> bias, Operand<? extends TNumber> labels, long offset) {
    long classes = checkShard(h, weights, bias, labels, offset);
    Ops s = tf.withSubScope("linearShard");
    Operand<T> z = s.math.add(
        s.linalg.matMul(s.stopGradient(h), s.stopGradient(weights), MatMul.transposeB(true)), s.stopGradient(bias));
    Operand<T> lse = s.squeeze(Rows.logSumExp(s, z, Rows.maxLast(s, z)), Squeeze.axis(List.of(-1L)));
    Operand<TInt32> local = s.math.sub(s.dtypes.cast(labels, TInt32.class), s.constant((int) offset));
    Operand<TBool> holds = s.math.logicalAnd(
        s.math.greaterEqual(local, s.constant(0)), s.math.less(local, s.constant((int) classes)));
    Operand<T> picked = s.gather(z, Rows.where0(s, holds, local), s.constant(1), Gather.batchDims(1L));
    Operand<T> forward = s.stack(List.of(lse, Rows.where0(s, holds, picked)));
    Operand<T> out = CustomGradients.apply(s, SHARD_RULE, forward,
        List.of(h, weights, bias, s.stopGradient(z), s.stopGradient(local)), Map.of("classes", classes));
    List<Operand<T>> parts = rows(s, out);
    return new Shard<>(parts.get(0), parts.get(1), holds);
  }

  /**
   * log Σ_p exp(lse_p) of the shards' log-sum-exps, computed stably as m + log Σ_p exp(lse_p − m)
   * with m = max_p lse_p (held constant for the gradient, which it does not change).
   *
   * @param shardLogSumExps one [N] tensor per shard, all of one floating dtype
   */
  public static <T extends TNumber> Operand<T> logSumExp(Ops tf, List<Operand<T>> shardLogSumExps) {
    if (shardLogSumExps.isEmpty()) {
      throw new IllegalArgumentException("shardLogSumExps must hold at least one shard, got none");
    }
    for (Operand<T> x : shardLogSumExps) {
      Checks.floating("shardLogSumExps", x);
    }
    Ops s = tf.withSubScope("shardedLogSumExp");
    Operand<T> x = s.stack(shardLogSumExps); // [P, N]
    Operand<T> m = Rows.finite(s, s.stopGradient(s.reduceMax(x, s.constant(0))));
    return s.math.add(m, s.math.log(s.reduceSum(s.math.exp(s.math.sub(x, m)), s.constant(0))));
  }

  /**
   * The per-example cross-entropy, [N], of a softmax whose classes are split over {@code shards}:
   * logsumexp_p(lse_p) − Σ_p y_p. A run fails with a TensorFlow error when a label falls in no
   * shard or in more than one (gaps or overlaps between the shards' class ranges).
   */
  public static <T extends TNumber> Operand<T> crossEntropy(Ops tf, List<Shard<T>> shards) {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("shards must hold at least one shard, got none");
    }
    Ops s = tf.withSubScope("shardedCrossEntropy");
    Operand<T> lse = logSumExp(s, shards.stream().map(Shard::logSumExp).toList());
    Operand<T> label = s.math.addN(shards.stream().map(Shard::labelLogit).toList());
    Operand<TInt32> holders = s.math.addN(
        shards.stream().map(p -> (Operand<TInt32>) s.dtypes.cast(p.holdsLabel(), TInt32.class)).toList());
    AssertThat check = s.assertThat(
        s.reduceAll(s.math.equal(holders, s.onesLike(holders)), s.constant(0)),
        List.of(s.constant("labels must each fall in the class range [offset, offset + classes) of exactly"
            + " one shard; shards holding each label:"), holders),
        AssertThat.summarize(20L));
    return s.withControlDependencies(List.of(check)).math.sub(lse, label);
  }

  /** Validates a shard's operands; returns V, its number of classes. */
  private static long checkShard(
      Operand<?> h, Operand<?> weights, Operand<?> bias, Operand<?> labels, long offset) {
    Checks.floating("h", h);
    for (var named : Map.of("weights", weights, "bias", bias).entrySet()) {
      if (named.getValue().type() != h.type()) {
        throw new IllegalArgumentException(named.getKey() + " must have the dtype of h ("
            + h.asOutput().dataType() + "), got " + named.getValue().asOutput().dataType());
      }
    }
    Checks.integer("labels", labels);
    Shape hs = h.shape();
    Shape ws = weights.shape();
    Shape bs = bias.shape();
    Shape ls = labels.shape();
    rank("h", hs, 2, "[N, d]");
    rank("weights", ws, 2, "[classes, d]");
    rank("bias", bs, 1, "[classes]");
    rank("labels", ls, 1, "[N]");
    long classes = ws.get(0);
    if (classes < 1) {
      throw new IllegalArgumentException("weights must have a known number of classes >= 1 (dimension 0), got shape " + ws);
    }
    same("bias", bs.get(0), classes, "the classes of weights", bs, ws);
    same("weights", ws.get(1), hs.get(1), "the features of h", ws, hs);
    same("labels", ls.get(0), hs.get(0), "the examples of h", ls, hs);
    if (offset < 0 || offset > Integer.MAX_VALUE - classes) {
      throw new IllegalArgumentException(
          "offset must be in [0, " + (Integer.MAX_VALUE - classes) + "] for a shard of " + classes + " classes, got " + offset);
    }
    return classes;
  }

  private static void rank(String name, Shape shape, int rank, String what) {
    if (shape.isUnknown() || shape.numDimensions() != rank) {
      throw new IllegalArgumentException(name + " must have rank " + rank + " " + what + ", got shape " + shape);
    }
  }

  private static void same(String name, long a, long b, String what, Shape sa, Shape sb) {
    if (a >= 0 && b >= 0 && a != b) {
      throw new IllegalArgumentException(name + " must match " + what + ": got shapes " + sa + " and " + sb);
    }
  }

  /** The rows of a [2, N] tensor. */
  private static <T extends TNumber> List<Operand<T>> rows(Ops tf, Operand<T> x) {
    return tf.unstack(x, 2L).output().stream().map(o -> (Operand<T>) o).toList();
  }

  /** [N] to [N, 1]. */
  private static <T extends TNumber> Operand<T> column(Ops tf, Operand<T> v) {
    return tf.expandDims(v, tf.constant(-1));
  }
}
