package org.beyondsoftmax.models.attention;

import java.util.List;
import java.util.Map;
import org.beyondsoftmax.models.nn.Parameter;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TFloating;

/**
 * Turns attention scores into attention weights over the keys, for the H heads of one attention
 * layer: one of {@link org.beyondsoftmax.ops.AttentionNormalisers} with the variables it learns
 * per head (alpha of entmax, s of scalable softmax), which it owns. Built from a spec by
 * {@link Normalisers#create}; every application shares the variables.
 *
 * @param <T> the dtype of the scores, the weights and the variables
 */
public interface AttentionNormaliser<T extends TFloating> {
  /** The kind and options; {@code Normalisers.create(spec(), config)} builds an equivalent one. */
  Spec<AttentionFactory> spec();

  /**
   * The attention weights [B, H, Tq, Tk] of scores [B, H, Tq, Tk] over the key axis (the last).
   *
   * @param mask boolean, true where a key takes part, broadcasting to the scores' shape (e.g.
   *     [B, 1, Tq, Tk] for causal and padding masks together), or null; masked keys get weight 0,
   *     a row without keys weights 0
   */
  Operand<T> weights(Ops tf, Operand<T> scores, Operand<TBool> mask);

  /** The variables this normaliser learns (none for most). */
  List<Parameter<T>> parameters();

  /**
   * For diagnostics: the per-head values it uses, by name, each [H] (e.g. {@code alpha} of entmax,
   * learned or constant); empty for normalisers without one.
   */
  default Map<String, Operand<T>> perHead(Ops tf) {
    return Map.of();
  }
}
