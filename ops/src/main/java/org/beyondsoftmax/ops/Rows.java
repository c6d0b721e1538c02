package org.beyondsoftmax.ops;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * Row-wise graph helpers over the last axis, shared by the mappings, thresholds and losses: row
 * sums and maxima, the masking-safe versions of the row maximum, log-sum-exp and reciprocals that
 * keep a row of -inf free of NaN, a cheap pow, and scalars of a tensor's dtype.
 */
final class Rows {
  private Rows() {}

  /** A scalar constant of the dtype of {@code like}. */
  static <T extends TType> Operand<T> scalar(Ops tf, double value, Operand<T> like) {
    return tf.dtypes.cast(tf.constant(value), like.type());
  }

  static Operand<TInt32> last(Ops tf) {
    return tf.constant(-1);
  }

  static <T extends TNumber> Operand<T> sumLast(Ops tf, Operand<T> x) {
    return tf.reduceSum(x, last(tf), ReduceSum.keepDims(true));
  }

  static <T extends TNumber> Operand<T> maxLast(Ops tf, Operand<T> x) {
    return tf.reduceMax(x, last(tf), ReduceMax.keepDims(true));
  }

  /**
   * The row maximum over the last axis with gradient stopped, replaced by 0 where a row is all
   * -inf (so that {@code x - max} stays -inf there instead of NaN).
   */
  static <T extends TNumber> Operand<T> safeMax(Ops tf, Operand<T> x) {
    return finite(tf, maxLast(tf, tf.stopGradient(x)));
  }

  /**
   * base^exponent for base &gt;= 0 and exponent &gt; 0 as exp(exponent log base) (0 at base 0):
   * TensorFlow's Pow kernel costs some 20 times more on CPU.
   */
  static <T extends TNumber> Operand<T> pow(Ops tf, Operand<T> base, Operand<T> exponent) {
    return tf.math.exp(tf.math.mul(exponent, tf.math.log(base)));
  }

  /** {@code max(x, 0)}, elementwise. */
  static <T extends TNumber> Operand<T> positive(Ops tf, Operand<T> x) {
    return tf.math.maximum(x, tf.zerosLike(x));
  }

  /** {@code where(cond, a, 0)}. */
  static <T extends TType> Operand<T> where0(Ops tf, Operand<TBool> cond, Operand<T> a) {
    return tf.select(cond, a, tf.zerosLike(a));
  }

  /** The size of the last axis as an int32 scalar (a graph value; works with unknown shapes). */
  static Operand<TInt32> lastDim(Ops tf, Operand<?> x) {
    return tf.stridedSlice(tf.shape(x), Indices.at(-1));
  }

  /**
   * log sum_j exp(x_j) over the last axis ([.., 1]) given the row maximum; -inf for a row that is
   * all -inf.
   */
  static <T extends TNumber> Operand<T> logSumExp(Ops tf, Operand<T> x, Operand<T> rowMax) {
    Operand<T> m = finite(tf, rowMax);
    Operand<T> sum = sumLast(tf, tf.math.exp(tf.math.sub(x, m)));
    return tf.math.add(m, tf.math.log(sum));
  }

  /** {@code v} where finite, else 0 (per-row values: cheap). */
  static <T extends TNumber> Operand<T> finite(Ops tf, Operand<T> v) {
    return tf.select(tf.math.isFinite(v), v, tf.zerosLike(v));
  }

  /** {@code s} where non-zero, else 1, so that 1/s is finite (per-row values). */
  static <T extends TNumber> Operand<T> nonZero(Ops tf, Operand<T> s) {
    Operand<TBool> zero = tf.math.equal(s, tf.zerosLike(s));
    return tf.select(zero, scalar(tf, 1.0, s), s);
  }

  /** The shape of x without its last axis, as an int32 vector (a graph value). */
  static Operand<TInt32> leadingShape(Ops tf, Operand<?> x) {
    return tf.slice(tf.shape(x), tf.constant(new int[] {0}),
        tf.expandDims(tf.math.sub(tf.rank(x), tf.constant(1)), tf.constant(0)));
  }
}
