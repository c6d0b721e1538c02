package org.beyondsoftmax.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * Top-k ("sparse") softmax on the last axis: softmax over the k largest entries, 0 elsewhere.
 * Entries tied with the k-th largest value are all kept (permutation-equivariant, unlike a
 * tie-break by index). k larger than the axis means the whole axis.
 */
final class TopKSoftmax {
  private TopKSoftmax() {}

  /** True for the entries at or above the k-th largest of their row. */
  static <T extends TNumber> Operand<TBool> keep(Ops tf, Operand<T> x, int k) {
    Operand<T> xs = tf.stopGradient(x);
    Operand<TInt32> kk = tf.math.minimum(tf.constant(k), Rows.lastDim(tf, xs));
    Operand<T> kth = tf.reduceMin(tf.nn.topK(xs, kk, TInt32.class).values(), Rows.last(tf),
        org.tensorflow.op.core.ReduceMin.keepDims(true));
    return tf.math.greaterEqual(xs, kth);
  }

  static <T extends TNumber> Operand<T> lastAxis(Ops tf, Operand<T> x, int k) {
    Operand<T> minusInf = Rows.scalar(tf, Double.NEGATIVE_INFINITY, x);
    return Softmax.softmax(tf, tf.select(keep(tf, x, k), x, minusInf));
  }
}
