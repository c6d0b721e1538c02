package org.beyondsoftmax.models.heads;

import java.util.List;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Spec;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TIntegral;

/**
 * A head whose distribution has full support: p = softmax(s) for scores s(h) [N, M], i.e.
 * log-probabilities up to a per-row constant. log p = log_softmax(s); the loss is the
 * cross-entropy log sum_j exp(s_j) - s_y ({@link Losses#crossEntropy}, gradient p - onehot(y));
 * with targets q it is -sum_j q_j log p_j ({@link Losses#crossEntropyWithTargets}).
 */
abstract class FullSupportHead<T extends TFloating> extends AbstractHead<T> {

  FullSupportHead(HeadConfig<T> config, Spec<HeadFactory> spec, List<Kind<HeadFactory>> kinds) {
    super(config, spec, kinds);
  }

  @Override
  public Operand<T> logProbabilities(Operand<T> h) {
    return onScores("logProbabilities", h, Mappings::logSoftmax);
  }

  /** The scores s: softmax(s) = p. */
  @Override
  public Operand<T> logits(Operand<T> h) {
    return onScores("logits", h, (s, z) -> z);
  }

  @Override
  public Operand<T> probabilities(Operand<T> h) {
    return onScores("probabilities", h, Mappings::softmax);
  }

  @Override
  public Operand<T> loss(Operand<T> h, Operand<? extends TIntegral> labels) {
    return onScores("loss", h, (s, z) -> Losses.crossEntropy(s, z, labels));
  }

  @Override
  public Operand<T> targetLoss(Operand<T> h, Operand<T> targets) {
    return onScores("targetLoss", h,
        (s, z) -> Losses.crossEntropyWithTargets(s, z, checkTargets(targets), LossOptions.defaults()));
  }

  @Override
  public TopK<T> topK(Operand<T> h, int k) {
    Call<T> c = call("topK", h);
    Ops s = c.tf();
    return TopK.of(s, Mappings.logSoftmax(s, scores(s, c.h())), k, config.classes(), v -> s.math.exp(v));
  }

  @Override
  public boolean isSparse() {
    return false;
  }
}
