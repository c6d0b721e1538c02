package org.beyondsoftmax.models;

import java.util.Optional;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Learnable monotonic pointwise non-linearity before the softmax (Ganea et al. 2019):
 * p = softmax(f(W h + b)) with f a learned increasing function, shared by all classes.
 */
abstract class LmsHead<T extends TFloating> extends FullSupportHead<T> {
  private final Dense<T> classes;
  private final MonotoneFunction<T> function;

  LmsHead(HeadConfig<T> config, HeadSpec spec, boolean bias,
      Function<Parameters<T>, MonotoneFunction<T>> function) {
    super(config, spec);
    this.classes = Dense.classes(params, bias, false);
    this.function = function.apply(params);
  }

  @Override
  protected final Operand<T> scores(Ops tf, Operand<T> h) {
    return function.apply(tf, classes.apply(tf, h));
  }

  @Override
  public final Optional<Operand<T>> classEmbeddings() {
    return Optional.of(classes.weights());
  }

  @Override
  public final Optional<MonotoneFunction<T>> pointwiseFunction() {
    return Optional.of(function);
  }
}
