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

/** Small graph helpers shared by the mappings and losses; all work on the last axis. */
final class G {
  private G() {}

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
    return Softmax.finite(tf, maxLast(tf, tf.stopGradient(x)));
  }

  /**
   * base^exponent for base &gt;= 0 and exponent &gt; 0 as exp(exponent log base) (0 at base 0):
   * TensorFlow's Pow kernel costs some 20 times more on CPU.
   */
  static <T extends TNumber> Operand<T> pow(Ops tf, Operand<T> base, Operand<T> exponent) {
    return tf.math.exp(tf.math.mul(exponent, tf.math.log(base)));
  }

  /** {@code where(cond, a, 0)}. */
  static <T extends TType> Operand<T> where0(Ops tf, Operand<TBool> cond, Operand<T> a) {
    return tf.select(cond, a, tf.zerosLike(a));
  }

  /** The size of the last axis as an int32 scalar (a graph value; works with unknown shapes). */
  static Operand<TInt32> lastDim(Ops tf, Operand<?> x) {
    return tf.stridedSlice(tf.shape(x), Indices.at(-1));
  }
}
