package org.beyondsoftmax.models.attention;

import java.util.List;
import org.beyondsoftmax.models.nn.SpecifiedPart;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TFloating;

/**
 * What every normaliser shares: its config, spec and variables ({@link SpecifiedPart}), the
 * check of the scores' shape, and per-head values laid out as [H, 1, 1] for [B, H, Tq, Tk] scores.
 */
abstract class AbstractNormaliser<T extends TFloating> extends SpecifiedPart<T, AttentionFactory>
    implements AttentionNormaliser<T> {
  protected final AttentionConfig<T> config;

  AbstractNormaliser(AttentionConfig<T> config, Spec<AttentionFactory> spec, Kind<AttentionFactory> kind) {
    super(config.tf(), config.dtype(), config.seed(), spec, List.of(kind));
    this.config = config;
  }

  @Override
  public final Operand<T> weights(Ops tf, Operand<T> scores, Operand<TBool> mask) {
    Shape s = scores.shape();
    if (s.isUnknown() || s.numDimensions() != 4 || (s.get(1) != Shape.UNKNOWN_SIZE && s.get(1) != config.heads())) {
      throw new IllegalArgumentException(
          "scores must have shape [B, " + config.heads() + ", Tq, Tk] (one row per head and query), got " + s);
    }
    return normalise(tf.withSubScope(spec().name()), scores, mask);
  }

  /** The weights of checked scores [B, H, Tq, Tk], in this normaliser's scope. */
  protected abstract Operand<T> normalise(Ops tf, Operand<T> scores, Operand<TBool> mask);

  /** A variable [H, 1, 1] filled with {@code value}: one value per head of [B, H, Tq, Tk] scores. */
  protected final Operand<T> perHeadVariable(String name, double value) {
    return params.constant(name, Shape.of(config.heads(), 1, 1), value);
  }

  /** [H, 1, 1] values as [H]. */
  protected final Operand<T> flat(Ops tf, Operand<T> perHead) {
    return tf.reshape(perHead, tf.constant(new long[] {config.heads()}));
  }

  /** {@code value} for each of the H heads, [H]. */
  protected final Operand<T> constant(Ops tf, double value) {
    return tf.fill(tf.constant(new long[] {config.heads()}), params.scalar(tf, value));
  }
}
