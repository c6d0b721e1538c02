package org.beyondsoftmax.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * The largest entries of each row, sorted, found by a partial sort (TopKV2) whose k is the largest
 * number of entries any row can have in its support. Sparsemax and the entmaxes only keep entries
 * x &gt; max(x) - width (width = 1/(alpha - 1): 1 for sparsemax, 2 for 1.5-entmax), because no
 * probability exceeds 1; so k = max over rows of #{x &gt; max - width}. The answer is exact and
 * needs no fallback; it costs a full sort only when that bound covers whole rows (logits of tiny
 * scale).
 */
final class Candidates {
  private Candidates() {}

  /**
   * @param x logits (gradient stopped), classes last
   * @param shift the row maximum (finite), [.., 1]
   * @param width the support's reach below the maximum, scalar or [.., 1]
   * @return the k largest entries of x per row, in decreasing order, [.., k]
   */
  static <T extends TNumber> Operand<T> sortedTop(
      Ops tf, Operand<T> x, Operand<T> shift, Operand<T> width, SortStrategy strategy) {
    Operand<TInt32> k;
    if (strategy == SortStrategy.FULL_SORT) {
      k = G.lastDim(tf, x);
    } else {
      Operand<TInt32> perRow =
          tf.reduceSum(
              tf.dtypes.cast(tf.math.greater(x, tf.math.sub(shift, width)), TInt32.class),
              G.last(tf));
      Operand<TInt32> widest =
          tf.reduceMax(perRow, tf.range(tf.constant(0), tf.rank(perRow), tf.constant(1)));
      k = tf.math.minimum(tf.math.maximum(widest, tf.constant(1)), G.lastDim(tf, x));
    }
    return tf.nn.topK(x, k, TInt32.class).values();
  }

  /** 1, 2, ..., k along the last axis of {@code sorted}, in its dtype. */
  static <T extends TNumber> Operand<T> ranks(Ops tf, Operand<T> sorted) {
    Operand<TInt32> k = G.lastDim(tf, sorted);
    return tf.dtypes.cast(
        tf.range(tf.constant(1), tf.math.add(k, tf.constant(1)), tf.constant(1)), sorted.type());
  }
}
