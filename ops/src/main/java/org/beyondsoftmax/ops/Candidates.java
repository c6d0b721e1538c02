package org.beyondsoftmax.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * The largest entries of each row, sorted, found by a partial sort (TopKV2) whose k is the largest
 * number of entries that can be in the support of any row: for logits shifted so that the row
 * maximum is 0, sparsemax and the entmaxes only keep entries above -1 (in their scaled units), so
 * k = max over rows of #{z > -1}. The answer is exact; it needs no fallback, and costs a full sort
 * only when that bound covers the whole row (logits of tiny scale).
 */
final class Candidates {
  private Candidates() {}

  /** How the support is searched. {@link SortStrategy#FULL_SORT} sorts whole rows. */
  static <T extends TNumber> Operand<T> sortedTop(
      Ops tf, Operand<T> shifted, SortStrategy strategy) {
    Operand<TInt32> k;
    if (strategy == SortStrategy.FULL_SORT) {
      k = G.lastDim(tf, shifted);
    } else {
      Operand<TInt32> perRow =
          tf.reduceSum(
              tf.dtypes.cast(tf.math.greater(shifted, G.scalar(tf, -1.0, shifted)), TInt32.class),
              G.last(tf));
      Operand<TInt32> widest = tf.reduceMax(perRow, tf.range(tf.constant(0), tf.rank(perRow), tf.constant(1)));
      k = tf.math.minimum(tf.math.maximum(widest, tf.constant(1)), G.lastDim(tf, shifted));
    }
    return tf.nn.topK(shifted, k, TInt32.class).values();
  }

  /** 1, 2, ..., k along the last axis of {@code sorted}, in its dtype. */
  static <T extends TNumber> Operand<T> ranks(Ops tf, Operand<T> sorted) {
    Operand<TInt32> k = G.lastDim(tf, sorted);
    return tf.dtypes.cast(tf.range(tf.constant(1), tf.math.add(k, tf.constant(1)), tf.constant(1)), sorted.type());
  }

  static <T extends TNumber> Operand<T> sumKeep(Ops tf, Operand<T> x) {
    return tf.reduceSum(x, G.last(tf), ReduceSum.keepDims(true));
  }
}
