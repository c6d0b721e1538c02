package org.beyondsoftmax.models.heads;

import java.util.function.UnaryOperator;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * The k most probable classes of each row: {@code ids} [N, k] (int32, most probable first) and
 * their {@code probabilities} [N, k].
 */
public record TopK<T extends TFloating>(Operand<TInt32> ids, Operand<T> probabilities) {

  /**
   * The top k of {@code scores} [N, M], any increasing function of the probabilities (ties keep
   * the lower class id first), with {@code toProbability} mapping the selected scores to
   * probabilities.
   *
   * @param k &gt;= 1; clipped to M
   */
  static <T extends TFloating> TopK<T> of(
      Ops tf, Operand<T> scores, int k, int classes, UnaryOperator<Operand<T>> toProbability) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    Ops s = tf.withSubScope("topK");
    var top = s.nn.topK(s.stopGradient(scores), s.constant(Math.min(k, classes)), TInt32.class);
    return new TopK<>(top.indices(), toProbability.apply(top.values()));
  }
}
