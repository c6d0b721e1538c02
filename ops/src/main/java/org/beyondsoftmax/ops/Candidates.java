package org.beyondsoftmax.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * The entries of each row that can be in the support of sparsemax or an entmax, sorted. Those
 * mappings only keep entries x &gt; max(x) - width (width = 1/(alpha - 1): 1 for sparsemax, 2 for
 * 1.5-entmax) because no probability exceeds 1. The candidates are gathered with one pass over
 * the row (a mask and {@code Where}), packed into a [rows, k] block (k = the most candidates of any
 * row, padded with max - width, which never enters a support) and only that block is sorted. This
 * is exact, needs no fallback, and costs far less than a top-k over whole rows; a full sort
 * happens only when the bound covers whole rows (logits of tiny scale).
 */
final class Candidates {
  private Candidates() {}

  /**
   * @param x logits (gradient stopped), classes last
   * @param shift the row maximum (finite), [.., 1]
   * @param width the support's reach below the maximum, scalar or [.., 1]
   * @return the candidates of each row in decreasing order, padded with shift - width, [.., k]
   */
  static <T extends TNumber> Operand<T> sortedTop(
      Ops tf, Operand<T> x, Operand<T> shift, Operand<T> width, SortStrategy strategy) {
    if (strategy == SortStrategy.FULL_SORT) {
      return tf.nn.topK(x, Rows.lastDim(tf, x), TInt32.class).values();
    }
    Operand<TInt32> classes = Rows.lastDim(tf, x);
    Operand<T> rows = tf.reshape(x, tf.stack(List.of(tf.constant(-1), classes)));
    Operand<T> floor = tf.reshape(tf.math.sub(shift, width), tf.constant(new int[] {-1, 1}));
    Operand<TInt64> where = tf.where(tf.math.greater(rows, floor)); // [n, 2] (row, column)
    Operand<TInt64> row = tf.stridedSlice(where, Indices.all(), Indices.at(0));
    Operand<T> values = tf.gatherNd(rows, where);
    Operand<TInt32> rowCount = tf.stridedSlice(tf.shape(rows), Indices.at(0));
    Operand<TInt32> counts =
        tf.math.bincount(tf.dtypes.cast(row, TInt32.class), rowCount, Shapes.emptyInt32(tf));
    Operand<TInt64> starts =
        tf.dtypes.cast(tf.math.cumsum(counts, tf.constant(0), Cumsum.exclusive(true)), TInt64.class);
    Operand<TInt64> n = tf.stridedSlice(tf.shape(values, TInt64.class), Indices.at(0));
    // position of each candidate within its row (Where lists them row by row)
    Operand<TInt64> rank =
        tf.math.sub(tf.range(tf.constant(0L), n, tf.constant(1L)), tf.gather(starts, row, tf.constant(0)));
    Operand<TInt32> k = tf.math.maximum(tf.reduceMax(counts, tf.constant(0)), tf.constant(1));
    Operand<T> rowFloor = tf.gather(tf.squeeze(floor, org.tensorflow.op.core.Squeeze.axis(List.of(1L))), row, tf.constant(0));
    Operand<TInt64> blockShape =
        tf.dtypes.cast(tf.stack(List.of(rowCount, k)), TInt64.class);
    Operand<T> block =
        tf.math.add(
            tf.scatterNd(tf.stack(List.of(row, rank), Stack.axis(1L)), tf.math.sub(values, rowFloor), blockShape),
            floor);
    Operand<T> sorted = tf.nn.topK(block, k, TInt32.class).values();
    Operand<TInt32> outShape =
        tf.concat(List.of(tf.slice(tf.shape(x), tf.constant(new int[] {0}),
            tf.expandDims(tf.math.sub(tf.rank(x), tf.constant(1)), tf.constant(0))),
            tf.expandDims(k, tf.constant(0))), tf.constant(0));
    return tf.reshape(sorted, outShape);
  }

  /** 1, 2, ..., k along the last axis of {@code sorted}, in its dtype. */
  static <T extends TNumber> Operand<T> ranks(Ops tf, Operand<T> sorted) {
    Operand<TInt32> k = Rows.lastDim(tf, sorted);
    return tf.dtypes.cast(
        tf.range(tf.constant(1), tf.math.add(k, tf.constant(1)), tf.constant(1)), sorted.type());
  }
}
