package org.beyondsoftmax.models;

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
 * with targets q it is -sum_j q_j log p_j, terms with q_j = 0 left out (0 log 0 = 0).
 */
abstract class FullSupportHead<T extends TFloating> extends AbstractHead<T> {

  FullSupportHead(HeadConfig<T> config, HeadSpec spec) {
    super(config, spec);
  }

  /** The scores s [N, M] of h [N, d], built in {@code tf}'s scope. */
  protected abstract Operand<T> scores(Ops tf, Operand<T> h);

  @Override
  public Operand<T> logProbabilities(Operand<T> h) {
    Call<T> c = call("logProbabilities", h);
    Ops s = c.tf();
    return Mappings.logSoftmax(s, scores(s, c.h()));
  }

  @Override
  public Operand<T> probabilities(Operand<T> h) {
    Call<T> c = call("probabilities", h);
    Ops s = c.tf();
    return Mappings.softmax(s, scores(s, c.h()));
  }

  @Override
  public Operand<T> loss(Operand<T> h, Operand<? extends TIntegral> labels) {
    Call<T> c = call("loss", h);
    Ops s = c.tf();
    return Losses.crossEntropy(s, scores(s, c.h()), labels);
  }

  @Override
  public Operand<T> targetLoss(Operand<T> h, Operand<T> targets) {
    Call<T> c = call("targetLoss", h);
    Ops s = c.tf();
    return Targets.crossEntropy(s, Mappings.logSoftmax(s, scores(s, c.h())), Targets.check(targets, config));
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
