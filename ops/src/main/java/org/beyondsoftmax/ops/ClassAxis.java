package org.beyondsoftmax.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Moves the class axis of a tensor last and its half-precision dtype to float32, so that every
 * mapping is written once, for the last axis; {@link #restore} undoes both on a result.
 */
final class ClassAxis {
  private final Ops tf;
  private final int rank;
  private final int axis; // non-negative, or -1 when the rank is unknown
  private final Class<? extends TType> outType;

  private ClassAxis(Ops tf, int rank, int axis, Class<? extends TType> outType) {
    this.tf = tf;
    this.rank = rank;
    this.axis = axis;
    this.outType = outType;
  }

  /** Validates {@code x} (floating, rank >= 1) and {@code axis} (named {@code axisName}). */
  static ClassAxis of(Ops tf, Operand<?> x, int axis) {
    Checks.floating("x", x);
    int a = Checks.axis("axis", axis, x);
    return new ClassAxis(tf, x.shape().numDimensions(), a, x.type());
  }

  /** The validated, non-negative class axis of the original layout (-1: last of unknown rank). */
  int axis() {
    return axis;
  }

  boolean isLast() {
    return axis < 0 || axis == rank - 1;
  }

  /** {@code t} (in the original layout and dtype) with the class axis last, in float32/64. */
  @SuppressWarnings("unchecked")
  <T extends TType> Operand<T> toLast(Operand<?> t) {
    Operand<?> r = t;
    if (!isLast()) {
      r = tf.linalg.transpose(r, tf.constant(toLastPerm()));
    }
    if (outType == TFloat16.class || outType == TBfloat16.class) {
      r = tf.dtypes.cast(r, TFloat32.class);
    }
    return (Operand<T>) r;
  }

  /** {@code t} in the compute dtype (float32 for half precision), layout unchanged. */
  @SuppressWarnings("unchecked")
  <T extends TType> Operand<T> compute(Operand<?> t) {
    if (outType == TFloat16.class || outType == TBfloat16.class) {
      return (Operand<T>) tf.dtypes.cast(t, TFloat32.class);
    }
    return (Operand<T>) t;
  }

  /** A result with the class axis last back in the original layout and dtype. */
  @SuppressWarnings("unchecked")
  <T extends TType> Operand<T> restore(Operand<?> t) {
    Operand<?> r = t;
    if (!isLast()) {
      r = tf.linalg.transpose(r, tf.constant(fromLastPerm()));
    }
    return (Operand<T>) castBack(r);
  }

  /** A per-row result (class axis removed) back in the original dtype. */
  @SuppressWarnings("unchecked")
  <T extends TType> Operand<T> restoreReduced(Operand<?> t) {
    return (Operand<T>) castBack(t);
  }

  private Operand<?> castBack(Operand<?> r) {
    if (r.type() != outType && (outType == TFloat16.class || outType == TBfloat16.class)) {
      return tf.dtypes.cast(r, outType);
    }
    return r;
  }

  private int[] toLastPerm() {
    int[] p = new int[rank];
    for (int i = 0, j = 0; i < rank; i++) {
      if (i != axis) {
        p[j++] = i;
      }
    }
    p[rank - 1] = axis;
    return p;
  }

  private int[] fromLastPerm() {
    int[] to = toLastPerm();
    int[] inv = new int[rank];
    for (int i = 0; i < rank; i++) {
      inv[to[i]] = i;
    }
    return inv;
  }
}
