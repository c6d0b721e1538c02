package org.beyondsoftmax.models;

import java.util.Optional;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TIntegral;

/**
 * Top-k softmax ("sparse softmax", Sun et al. 2021): p = softmax over the k largest logits of
 * z = W h + b, exactly 0 elsewhere (ties with the k-th are kept). Loss: cross-entropy over the top
 * k and the label ({@link Losses#topKSoftmaxLoss}); with targets q, over the top k and the support
 * of q: -sum_j q_j log softmax_S(z)_j, S = topk(z) + {j : q_j &gt; 0}.
 */
public final class TopKSoftmaxHead<T extends TFloating> extends SparseHead<T> {
  public static final String NAME = "topk";
  public static final int DEFAULT_K = 10;
  public static final boolean DEFAULT_BIAS = true;

  private final Dense<T> classes;
  private final int k;

  /** @param k &gt;= 1 (k &gt;= M is plain softmax) */
  public TopKSoftmaxHead(HeadConfig<T> config, int k, boolean bias) {
    super(config, HeadSpec.of(NAME).withIfNot("k", k, DEFAULT_K).withIfNot("bias", bias, DEFAULT_BIAS));
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    this.k = k;
    this.classes = Dense.classes(params, bias, false);
  }

  public TopKSoftmaxHead(HeadConfig<T> config) {
    this(config, DEFAULT_K, DEFAULT_BIAS);
  }

  @Override
  protected Operand<T> scores(Ops tf, Operand<T> h) {
    return classes.apply(tf, h);
  }

  @Override
  protected Operand<T> map(Ops tf, Operand<T> z) {
    return Mappings.topKSoftmax(tf, z, k);
  }

  @Override
  public Operand<T> loss(Operand<T> h, Operand<? extends TIntegral> labels) {
    Call<T> c = call("loss", h);
    Ops s = c.tf();
    return Losses.topKSoftmaxLoss(s, scores(s, c.h()), labels, k);
  }

  @Override
  public Operand<T> targetLoss(Operand<T> h, Operand<T> targets) {
    Call<T> c = call("targetLoss", h);
    Ops s = c.tf();
    Operand<T> q = Targets.check(targets, config);
    Operand<T> z = scores(s, c.h());
    Operand<T> zero = params.scalar(s, 0);
    Operand<TBool> kept = s.math.logicalOr(
        s.math.greater(map(s, s.stopGradient(z)), zero), s.math.greater(q, zero));
    Operand<T> masked = s.select(kept, z, params.scalar(s, Double.NEGATIVE_INFINITY));
    return Targets.crossEntropy(s, Mappings.logSoftmax(s, masked), q);
  }

  @Override
  public Optional<Operand<T>> classEmbeddings() {
    return Optional.of(classes.weights());
  }
}
