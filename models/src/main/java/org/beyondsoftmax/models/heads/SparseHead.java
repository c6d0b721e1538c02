package org.beyondsoftmax.models;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * A head whose probabilities p = map(z), z = scores(h) [N, M], can be exactly 0.
 * {@link #logProbabilities} is log p with -inf outside the support: for inference and evaluation
 * (its gradient is undefined at the zeros); training uses {@link #loss} or {@link #targetLoss}.
 */
abstract class SparseHead<T extends TFloating> extends AbstractHead<T> {

  SparseHead(HeadConfig<T> config, HeadSpec spec) {
    super(config, spec);
  }

  /** The scores z [N, M] of h [N, d], built in {@code tf}'s scope. */
  protected abstract Operand<T> scores(Ops tf, Operand<T> h);

  /** The probabilities p [N, M] of scores z. */
  protected abstract Operand<T> map(Ops tf, Operand<T> z);

  @Override
  public Operand<T> probabilities(Operand<T> h) {
    Call<T> c = call("probabilities", h);
    Ops s = c.tf();
    return map(s, scores(s, c.h()));
  }

  @Override
  public Operand<T> logProbabilities(Operand<T> h) {
    Call<T> c = call("logProbabilities", h);
    Ops s = c.tf();
    return s.math.log(map(s, scores(s, c.h())));
  }

  @Override
  public TopK<T> topK(Operand<T> h, int k) {
    Call<T> c = call("topK", h);
    Ops s = c.tf();
    return TopK.of(s, map(s, scores(s, c.h())), k, config.classes(), v -> v);
  }

  @Override
  public boolean isSparse() {
    return true;
  }
}
