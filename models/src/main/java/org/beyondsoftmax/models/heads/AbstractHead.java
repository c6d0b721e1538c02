package org.beyondsoftmax.models.heads;

import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import org.beyondsoftmax.models.nn.Dense;
import org.beyondsoftmax.models.nn.SpecifiedPart;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * What every head shares: its config, spec and variables ({@link SpecifiedPart}), class layer, and
 * the checks of its inputs.
 */
abstract class AbstractHead<T extends TFloating> extends SpecifiedPart<T, HeadFactory> implements OutputHead<T> {
  protected final HeadConfig<T> config;
  private Dense<T> classes;

  /** @param kinds the kinds this class builds; {@code spec} must be of one of them */
  AbstractHead(HeadConfig<T> config, Spec<HeadFactory> spec, List<Kind<HeadFactory>> kinds) {
    super(config.tf(), config.dtype(), config.seed(), spec, kinds);
    this.config = config;
  }

  /**
   * The class layer z = W h + b: W [M, d] ({@code class_weights}), or the config's input
   * embedding when tied; b [M] ({@code class_bias}) when asked.
   */
  protected final Dense<T> classLayer(boolean bias, boolean tied) {
    if (classes != null) {
      throw new IllegalStateException("a head has one class layer");
    }
    if (tied) {
      Operand<T> w = config.tiedEmbedding().orElseThrow(() -> new IllegalArgumentException(
          "tied=true needs an input embedding [classes, hiddenSize] in the HeadConfig (none given)"));
      classes = Dense.tied(params, "class", w, config.classes(), bias);
    } else {
      classes = Dense.create(params, "class", config.hiddenSize(), config.classes(), bias);
    }
    return classes;
  }

  /** The logits z = W h + b of the class layer. */
  protected final Operand<T> logits(Ops tf, Operand<T> h) {
    return classes.apply(tf, h);
  }

  @Override
  public Optional<Operand<T>> classEmbeddings() {
    return Optional.ofNullable(classes).map(Dense::weights);
  }

  /** The scores s [N, M] of h [N, d] that the head's mapping and losses take, built in {@code tf}'s scope. */
  protected abstract Operand<T> scores(Ops tf, Operand<T> h);

  /** {@code op} applied to the scores of h, in a fresh scope {@code name} (see {@link #call}). */
  protected final Operand<T> onScores(String name, Operand<T> h, BiFunction<Ops, Operand<T>, Operand<T>> op) {
    Call<T> c = call(name, h);
    return op.apply(c.tf(), scores(c.tf(), c.h()));
  }

  /**
   * One application of the head: a fresh name scope and the hidden states, validated and read
   * through an Identity (so h may be a VariableV2: TensorFlow's gradient builder mishandles refs).
   */
  protected record Call<T extends TFloating>(Ops tf, Operand<T> h) {}

  /** Validates h [N, d] and opens the scope {@code name} for one application of the head. */
  protected final Call<T> call(String name, Operand<T> h) {
    Shape shape = h.shape();
    if (!shape.isUnknown() && (shape.numDimensions() != 2
        || (shape.get(1) != Shape.UNKNOWN_SIZE && shape.get(1) != config.hiddenSize()))) {
      throw new IllegalArgumentException(
          "h must have shape [N, " + config.hiddenSize() + "] (hidden states), got " + shape);
    }
    Ops s = params.ops().withSubScope(name);
    return new Call<>(s, s.identity(h));
  }

  /** Fails unless the targets q have shape [N, M] (where known). */
  protected final Operand<T> checkTargets(Operand<T> q) {
    Shape s = q.shape();
    if (!s.isUnknown() && (s.numDimensions() != 2
        || (s.get(1) != Shape.UNKNOWN_SIZE && s.get(1) != config.classes()))) {
      throw new IllegalArgumentException(
          "targets must have shape [N, " + config.classes() + "] (one distribution per row), got " + s);
    }
    return q;
  }
}
