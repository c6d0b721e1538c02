package org.beyondsoftmax.models.heads;

import java.util.List;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * A head whose probabilities p = map(z), z = scores(h) [N, M], can be exactly 0.
 * {@link #logProbabilities} is log p with -inf outside the support: for inference and evaluation
 * (its gradient is undefined at the zeros); training uses {@link #loss} or {@link #targetLoss}.
 */
abstract class SparseHead<T extends TFloating> extends AbstractHead<T> {

  SparseHead(HeadConfig<T> config, Spec<HeadFactory> spec, List<Kind<HeadFactory>> kinds) {
    super(config, spec, kinds);
  }

  /** The scores: the class layer's logits z = W h + b. */
  @Override
  protected Operand<T> scores(Ops tf, Operand<T> h) {
    return logits(tf, h);
  }

  /** The probabilities p [N, M] of scores z. */
  protected abstract Operand<T> map(Ops tf, Operand<T> z);

  @Override
  public Operand<T> probabilities(Operand<T> h) {
    return onScores("probabilities", h, this::map);
  }

  @Override
  public Operand<T> logProbabilities(Operand<T> h) {
    return onScores("logProbabilities", h, (s, z) -> s.math.log(map(s, z)));
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
