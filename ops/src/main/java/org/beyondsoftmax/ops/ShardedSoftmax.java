package org.beyondsoftmax.ops;

import java.util.ArrayList;
import java.util.HashMap;
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
 * <p>The heads beyond the linear softmax shard the same way when their scores are an elementwise
 * function s = g(z) of the logits (the softmax is then over s): lse_p = log Σ_{c ∈ p} exp(s_c) and
 * y_p = s_y. {@link #linearShard}: g(z) = z; {@link #sigsoftmaxShard}: g(z) = z − softplus(−z),
 * i.e. log(exp(z) σ(z)) (Kanai et al. 2018); {@link #plifShard}: g = the PLIF function of
 * Ganea et al. 2019 with its one table of raw slopes, read by every shard. A mixture of K softmaxes
 * (Yang et al. 2018) shards its N K component rows and combines them per example
 * ({@link #mixtureLogProbability}).
 *
 * <p>Gradient of a shard (a custom gradient, built on the shard's device): with
 * π_c = exp(s_c − lse_p) and upstream gradients g_lse, g_y of lse_p and y_p,
 * <pre>
 *   ds = g_lse π + g_y onehot(y − o_p),   dz = ds g'(z),   dh = dz W_p,   dW_p = dzᵀ h,   db_p = Σ_n dz
 * </pre>
 * with g'(z) = 1 + σ(−z) for sigsoftmax and the slope of z's interval for PLIF, whose raw slopes
 * get Σ ds ∂f/∂v on the shard too ([K] leaves the device, as the table came). So the softmax of the
 * shard, its weight gradient and the update of those weights stay on the shard; only dh ([N, d])
 * goes back. The combination's gradient, d logsumexp / d lse_p = exp(lse_p − logsumexp), is
 * TensorFlow's own of the composite ops.
 */
public final class ShardedSoftmax {
  static final String SHARD_RULE = "sharded_softmax_shard";

  /**
   * What one shard contributes for each of N examples: its log-sum-exp lse_p, the label's logit y_p
   * (0 where the label is another shard's), and whether it holds the label.
   */
  public record Shard<T extends TNumber>(Operand<T> logSumExp, Operand<T> labelLogit, Operand<TBool> holdsLabel) {}

  /** The elementwise function from a shard's logits to the scores its softmax is over. */
  private enum Scores { LINEAR, SIGSOFTMAX, PLIF }

  static {
    // inputs [forward (2, N): lse, y; h; W; b; scores s; local label; then for SIGSOFTMAX z, for
    // PLIF z, raw slopes v, interval index, slope]
    CustomGradients.define(
        SHARD_RULE,
        (gradientScope, node, up) -> {
          Ops tf = DeviceScope.on(gradientScope, node.device());
          Scores kind = Scores.valueOf(node.attributes().getAttrString("_beyond_scores"));
          Operand<TNumber> forward = CustomGradients.input(node, 0);
          Operand<TNumber> h = CustomGradients.input(node, 1);
          Operand<TNumber> w = CustomGradients.input(node, 2);
          Operand<TNumber> s = CustomGradients.input(node, 4);
          Operand<TInt32> local = CustomGradients.input(node, 5);
          int classes = (int) CustomGradients.intAttr(node, "classes");
          List<Operand<TNumber>> g = rows(tf, CustomGradients.<TNumber>upstream(up, 0));
          Operand<TNumber> lse = rows(tf, forward).get(0);
          Operand<TNumber> pi = tf.math.exp(tf.math.sub(s, column(tf, lse)));
          Operand<TNumber> onehot = tf.oneHot(local, tf.constant(classes), Rows.scalar(tf, 1, s), Rows.scalar(tf, 0, s));
          Operand<TNumber> ds =
              tf.math.add(tf.math.mul(column(tf, g.get(0)), pi), tf.math.mul(column(tf, g.get(1)), onehot));
          Operand<TNumber> dz = switch (kind) {
            case LINEAR -> ds;
            case SIGSOFTMAX ->
                tf.math.add(ds, tf.math.mul(ds, tf.math.sigmoid(tf.math.neg(CustomGradients.<TNumber>input(node, 6)))));
            case PLIF -> tf.math.mul(ds, CustomGradients.<TNumber>input(node, 9));
          };
          List<Operand<?>> grads = new ArrayList<>(List.of(CustomGradients.passThrough(node, 0),
              tf.linalg.matMul(dz, w), tf.linalg.matMul(dz, h, MatMul.transposeA(true)),
              tf.reduceSum(dz, tf.constant(0))));
          for (int i = 4; i < node.numInputs(); i++) {
            grads.add(CustomGradients.passThrough(node, i));
          }
          if (kind == Scores.PLIF) {
            grads.set(7, Plif.slopeGradient(tf, CustomGradients.<TNumber>input(node, 6),
                CustomGradients.<TNumber>input(node, 7), CustomGradients.<TInt32>input(node, 8), ds,
                CustomGradients.doubleAttr(node, "range")));
          }
          return grads;
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
   * @param bias the shard's biases b, [V], or null for none
   * @param labels the class of each example in the whole class range, [N], int32 or int64
   * @param offset o, the first class of the shard, in [0, 2^31 − V]
   */
  public static <T extends TNumber> Shard<T> linearShard(
      Ops tf, Operand<T> h, Operand<T> weights, Operand<T> bias, Operand<? extends TNumber> labels, long offset) {
    return shard(tf.withSubScope("linearShard"), h, weights, bias, labels, offset, Scores.LINEAR, null, 0);
  }

  /**
   * The shard of a sigsoftmax layer (Kanai et al. 2018): as {@link #linearShard} over the scores
   * s = z − softplus(−z) = log(exp(z) σ(z)), so that the shards combine to the cross-entropy of
   * sigsoftmax(z).
   */
  public static <T extends TNumber> Shard<T> sigsoftmaxShard(
      Ops tf, Operand<T> h, Operand<T> weights, Operand<T> bias, Operand<? extends TNumber> labels, long offset) {
    return shard(tf.withSubScope("sigsoftmaxShard"), h, weights, bias, labels, offset, Scores.SIGSOFTMAX, null, 0);
  }

  /**
   * The shard of an LMS-PLIF layer (Ganea et al. 2019): as {@link #linearShard} over the scores
   * s = f(z), f the PLIF function of {@link Mappings#plif} with the raw slopes {@code slopesRaw}
   * [K] shared by all shards (each shard reads the table and returns its part of the table's
   * gradient).
   *
   * @param range T, the knots lie on [−T, T]
   */
  public static <T extends TNumber> Shard<T> plifShard(Ops tf, Operand<T> h, Operand<T> weights, Operand<T> bias,
      Operand<T> slopesRaw, double range, Operand<? extends TNumber> labels, long offset) {
    Checks.positive("range", range);
    if (slopesRaw.type() != h.type() || slopesRaw.shape().numDimensions() != 1) {
      throw new IllegalArgumentException("slopesRaw must be a vector [K] of the dtype of h, got "
          + slopesRaw.asOutput().dataType() + " " + slopesRaw.shape());
    }
    return shard(tf.withSubScope("plifShard"), h, weights, bias, labels, offset, Scores.PLIF, slopesRaw, range);
  }

  private static <T extends TNumber> Shard<T> shard(Ops s, Operand<T> h, Operand<T> weights, Operand<T> bias,
      Operand<? extends TNumber> labels, long offset, Scores kind, Operand<T> slopesRaw, double range) {
    long classes = checkShard(h, weights, bias, labels, offset);
    Operand<T> b = bias == null ? s.zeros(s.constant(new long[] {classes}), h.type()) : bias;
    Operand<T> z = s.math.add(
        s.linalg.matMul(s.stopGradient(h), s.stopGradient(weights), MatMul.transposeB(true)), s.stopGradient(b));
    List<Operand<?>> extra = new ArrayList<>();
    Operand<T> scores = switch (kind) {
      case LINEAR -> z;
      case SIGSOFTMAX -> {
        extra.add(s.stopGradient(z));
        yield Softmax.sigsoftmaxLogits(s, z);
      }
      case PLIF -> {
        Plif.Parts<T> f = Plif.parts(s, z, s.stopGradient(slopesRaw), range);
        extra.addAll(List.of(s.stopGradient(z), slopesRaw, s.stopGradient(f.index()), s.stopGradient(f.slope())));
        yield f.value();
      }
    };
    Operand<T> lse = s.squeeze(Rows.logSumExp(s, scores, Rows.maxLast(s, scores)), Squeeze.axis(List.of(-1L)));
    Operand<TInt32> local = s.math.sub(s.dtypes.cast(labels, TInt32.class), s.constant((int) offset));
    Operand<TBool> holds = s.math.logicalAnd(
        s.math.greaterEqual(local, s.constant(0)), s.math.less(local, s.constant((int) classes)));
    Operand<T> picked = s.gather(scores, Rows.where0(s, holds, local), s.constant(1), Gather.batchDims(1L));
    Operand<T> forward = s.stack(List.of(lse, Rows.where0(s, holds, picked)));
    List<Operand<?>> inputs = new ArrayList<>(List.of(h, weights, b, s.stopGradient(scores), s.stopGradient(local)));
    inputs.addAll(extra);
    Map<String, Object> attrs = new HashMap<>(Map.of("classes", classes, "scores", kind.name()));
    if (kind == Scores.PLIF) {
      attrs.put("range", range);
    }
    List<Operand<T>> parts = rows(s, CustomGradients.apply(s, SHARD_RULE, forward, inputs, attrs));
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
    Combined<T> c = combine(s, shards);
    return c.checked().math.sub(c.logSumExp(), c.labelScore());
  }

  /**
   * log p(y) [N] under a mixture of K softmaxes over sharded classes (Yang et al. 2018):
   * p(y | n) = Σ_k π_nk softmax(s_nk)_y with π_n = softmax(priorLogits_n). The shards are computed
   * over the N K component rows, row n K + k holding component k of example n (its label y_n):
   * <pre>
   *   log p(y | n) = logsumexp_k(log π_nk + y_nk − logsumexp_p(lse_nkp)),   y_nk = Σ_p y_nkp
   * </pre>
   * so only [N K] vectors leave the shards. Fails the run as {@link #crossEntropy} does for labels
   * outside every shard.
   *
   * @param priorLogits [N, K], K known
   */
  public static <T extends TNumber> Operand<T> mixtureLogProbability(
      Ops tf, List<Shard<T>> shards, Operand<T> priorLogits) {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("shards must hold at least one shard, got none");
    }
    Checks.floating("priorLogits", priorLogits);
    Shape ps = priorLogits.shape();
    if (ps.isUnknown() || ps.numDimensions() != 2 || ps.get(1) < 1) {
      throw new IllegalArgumentException("priorLogits must have shape [N, K] with K known, got " + ps);
    }
    Ops s = tf.withSubScope("shardedMixture");
    Combined<T> c = combine(s, shards);
    Operand<T> component = c.checked().reshape(s.math.sub(c.labelScore(), c.logSumExp()), s.constant(new long[] {-1, ps.get(1)}));
    Operand<T> joint = s.math.add(s.nn.logSoftmax(priorLogits), component);
    return s.squeeze(Rows.logSumExp(s, joint, Rows.safeMax(s, joint)), Squeeze.axis(List.of(-1L)));
  }

  /** The shards' combined log-sum-exp and label score per row, and ops that run after the label check. */
  private record Combined<T extends TNumber>(Operand<T> logSumExp, Operand<T> labelScore, Ops checked) {}

  private static <T extends TNumber> Combined<T> combine(Ops s, List<Shard<T>> shards) {
    Operand<T> lse = logSumExp(s, shards.stream().map(Shard::logSumExp).toList());
    Operand<T> label = s.math.addN(shards.stream().map(Shard::labelLogit).toList());
    Operand<TInt32> holders = s.math.addN(
        shards.stream().map(p -> (Operand<TInt32>) s.dtypes.cast(p.holdsLabel(), TInt32.class)).toList());
    AssertThat check = s.assertThat(
        s.reduceAll(s.math.equal(holders, s.onesLike(holders)), s.constant(0)),
        List.of(s.constant("labels must each fall in the class range [offset, offset + classes) of exactly"
            + " one shard; shards holding each label:"), holders),
        AssertThat.summarize(20L));
    return new Combined<>(lse, label, s.withControlDependencies(List.of(check)));
  }

  /** Validates a shard's operands; returns V, its number of classes. */
  private static long checkShard(
      Operand<?> h, Operand<?> weights, Operand<?> bias, Operand<?> labels, long offset) {
    Checks.floating("h", h);
    Checks.sameType("weights", weights, "h", h);
    if (bias != null) {
      Checks.sameType("bias", bias, "h", h);
    }
    Checks.integer("labels", labels);
    Shape hs = h.shape();
    Shape ws = weights.shape();
    Shape bs = bias == null ? Shape.of(ws.get(0)) : bias.shape();
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
