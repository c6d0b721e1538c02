package org.beyondsoftmax.models.heads;

import java.util.List;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Option;
import org.beyondsoftmax.models.spec.Spec;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TIntegral;

/**
 * Top-k softmax ("sparse softmax", Sun et al. 2021): p = softmax over the k largest logits of
 * z = W h + b, exactly 0 elsewhere (ties with the k-th are kept). Loss: cross-entropy over the top
 * k and the label ({@link Losses#topKSoftmaxLoss}); with targets q, over the top k and the support
 * of q ({@link Losses#topKSoftmaxLossWithTargets}).
 */
public final class TopKSoftmaxHead<T extends TFloating> extends SparseHead<T> {
  /** k &gt;= 1 classes kept per row (k &gt;= M is plain softmax). */
  public static final Option<Integer> K = Option.integer("k", 10, 1, "classes kept per row");
  public static final Kind<HeadFactory> KIND = Kind.of("topk",
      "softmax over the k largest logits, 0 elsewhere", List.of(K, HeadOptions.BIAS), TopKSoftmaxHead::new);

  private final int k;

  public TopKSoftmaxHead(HeadConfig<T> config, Spec<HeadFactory> spec) {
    super(config, spec, List.of(KIND));
    this.k = spec.get(K);
    classLayer(spec.get(HeadOptions.BIAS), false);
  }

  public TopKSoftmaxHead(HeadConfig<T> config, int k, boolean bias) {
    this(config, KIND.spec().with(K, k).with(HeadOptions.BIAS, bias));
  }

  public TopKSoftmaxHead(HeadConfig<T> config) {
    this(config, KIND.spec());
  }


  @Override
  protected Operand<T> map(Ops tf, Operand<T> z) {
    return Mappings.topKSoftmax(tf, z, k);
  }

  @Override
  public Operand<T> loss(Operand<T> h, Operand<? extends TIntegral> labels) {
    return onScores("loss", h, (s, z) -> Losses.topKSoftmaxLoss(s, z, labels, k));
  }

  @Override
  public Operand<T> targetLoss(Operand<T> h, Operand<T> targets) {
    return onScores("targetLoss", h,
        (s, z) -> Losses.topKSoftmaxLossWithTargets(s, z, checkTargets(targets), k, LossOptions.defaults()));
  }

}
