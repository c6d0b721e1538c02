package org.beyondsoftmax.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Stack;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * The inputs of one benchmark graph, as an objective sees them: placeholders (static shapes) fed
 * from the shape's {@link BenchInputs}, each created on first use. Records the feeds and the
 * inputs the gradient is taken with respect to (logits, cosines, PLIF slopes, attention scores
 * and per-head parameters).
 */
public final class GraphInputs {
  private final Ops tf;
  private final BenchInputs data;
  private final Map<Operand<?>, Tensor> feeds = new LinkedHashMap<>();
  private final List<Operand<TFloat32>> differentiable = new ArrayList<>();
  /** The placeholder of each shared data tensor (logits, labels, ...), by the tensor's identity. */
  private final Map<Tensor, Operand<?>> shared = new IdentityHashMap<>();

  GraphInputs(Ops tf, BenchInputs data) {
    this.tf = tf;
    this.data = data;
  }

  public Ops tf() {
    return tf;
  }

  /** [N, M] float32 logits; differentiated. */
  public Operand<TFloat32> logits() {
    return shared(TFloat32.class, data.logits(), true);
  }

  /** [B, H, Tq, Tk] float32 attention scores; differentiated. */
  public Operand<TFloat32> scores() {
    return shared(TFloat32.class, data.scores(), true);
  }

  /** The [Tq, Tk] causal mask of the attention scores: true where key &lt;= query. */
  public Operand<TBool> causalMask() {
    return shared(TBool.class, data.causalMask(), false);
  }

  /** A float32 [H, 1, 1] parameter per attention head, all {@code value}; differentiated. */
  public Operand<TFloat32> perHead(double value) {
    return input(TFloat32.class, data.perHead(value), true);
  }

  /** [N, M] float32 cosines in [-1, 1] (for margin losses); differentiated. */
  public Operand<TFloat32> cosines() {
    return shared(TFloat32.class, data.cosines(), true);
  }

  /** [N] int32 labels in [0, M). */
  public Operand<TInt32> labels() {
    return shared(TInt32.class, data.labels(), false);
  }

  /** [k] float32 raw PLIF slopes; differentiated. */
  public Operand<TFloat32> plifSlopesRaw(int k) {
    return input(TFloat32.class, data.plifSlopesRaw(k), true);
  }

  /** sum(y * w) with w the fixed random upstream gradient: backward gets a dense w as dy. */
  public Operand<TFloat32> weightedSum(Operand<TFloat32> y) {
    Operand<TFloat32> upstream = shared(TFloat32.class, data.upstream(), false);
    int[] axes = new int[data.shape().dims().size()];
    Arrays.setAll(axes, i -> i);
    return tf.reduceSum(tf.math.mul(y, upstream), tf.constant(axes));
  }

  /**
   * -sum_i logProbs[i, labels[i]]: the cross-entropy of [N, M] log-probabilities (SUM), picking
   * one entry per row as the cross-entropy baseline does (its gradient is one scatter).
   */
  public Operand<TFloat32> negLogLikelihood(Operand<TFloat32> logProbs) {
    Operand<TInt32> rows = tf.range(tf.constant(0), tf.constant(data.shape().rows()), tf.constant(1));
    Operand<TInt32> indices = tf.stack(List.of(rows, labels()), Stack.axis(1L));
    return tf.math.neg(tf.reduceSum(tf.gatherNd(logProbs, indices), tf.constant(0)));
  }

  Map<Operand<?>, Tensor> feeds() {
    return Collections.unmodifiableMap(feeds);
  }

  List<Operand<TFloat32>> differentiable() {
    return Collections.unmodifiableList(differentiable);
  }

  /** The one placeholder of {@code value}, a tensor every op of the shape shares: made on first use. */
  @SuppressWarnings("unchecked")
  private <T extends TType> Operand<T> shared(Class<T> type, Tensor value, boolean differentiate) {
    return (Operand<T>) shared.computeIfAbsent(value, v -> input(type, v, differentiate));
  }

  /** A new placeholder fed {@code value}. */
  @SuppressWarnings("unchecked")
  private <T extends TType> Operand<T> input(Class<T> type, Tensor value, boolean differentiate) {
    Placeholder<T> p = tf.placeholder(type, Placeholder.shape(value.shape()));
    feeds.put(p, value);
    if (differentiate) {
      differentiable.add((Operand<TFloat32>) p);
    }
    return p;
  }
}
