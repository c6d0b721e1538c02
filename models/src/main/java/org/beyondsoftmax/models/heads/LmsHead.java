package org.beyondsoftmax.models.heads;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.beyondsoftmax.models.nn.MonotoneFunction;
import org.beyondsoftmax.models.nn.Parameters;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Learnable monotonic pointwise non-linearity before the softmax (Ganea et al. 2019):
 * p = softmax(f(W h + b)) with f a learned increasing function, shared by all classes.
 */
abstract class LmsHead<T extends TFloating> extends FullSupportHead<T> {
  private final MonotoneFunction<T> function;

  LmsHead(HeadConfig<T> config, Spec<HeadFactory> spec, Kind<HeadFactory> kind,
      Function<Parameters<T>, MonotoneFunction<T>> function) {
    super(config, spec, List.of(kind));
    classLayer(spec.get(HeadOptions.BIAS), false);
    this.function = function.apply(params);
  }

  @Override
  protected final Operand<T> scores(Ops tf, Operand<T> h) {
    return function.apply(tf, logits(tf, h));
  }

  /**
   * The scores centred at the function's value at 0: f(W h + b) − f(0), which are 0 where the
   * linear layer's logit is 0, as a softmax head's logits are. The head's softmax ignores the shift;
   * a joint softmax over the classes and other entries does not: the PLIF starts as f(x) ≈ x + T
   * ({@link org.beyondsoftmax.models.nn.PlifFunction}, T = 20), so uncentred logits made TRIME's
   * memories ({@code models.cache}) weigh about e^{-T} against the vocabulary, and a cache trained
   * with them changed nothing.
   */
  @Override
  public Operand<T> logits(Operand<T> h) {
    return onScores("logits", h, (s, z) ->
        s.math.sub(z, function.apply(s, s.fill(s.constant(new long[] {1, 1}), params.scalar(s, 0)))));
  }


  @Override
  public final Optional<MonotoneFunction<T>> pointwiseFunction() {
    return Optional.of(function);
  }
}
