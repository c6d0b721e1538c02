package org.beyondsoftmax.ops;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.index.Index;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * Attention scores seen as rows over their key axis, for {@link AttentionNormalisers}: the
 * graph-build-time checks of the scores, the mask and the per-head parameters; the mask applied
 * as -inf scores; which keys of a row take part and how many (n); per-head parameters laid out
 * with one value per row. A key takes part when its score is not -inf after the mask is applied.
 */
final class AttentionRows {
  private AttentionRows() {}

  /** Checks the scores (floating, rank &gt;= 1) and returns the validated non-negative axis. */
  static int checkScores(Operand<?> scores, int axis) {
    Checks.floating("scores", scores);
    if (scores.shape().numDimensions() == 0) {
      throw new IllegalArgumentException(
          "scores must have rank >= 1 (the last axis, or axis, holds the keys), got a scalar");
    }
    return Checks.axis("axis", axis, scores);
  }

  /**
   * Fails unless {@code mask} (may be null) is boolean and broadcasts to the shape of the scores
   * without changing it: rank at most theirs and, aligned from the right, each size 1 or equal.
   */
  static void checkMask(Operand<?> mask, Operand<?> scores) {
    if (mask == null) {
      return;
    }
    if (mask.type() != TBool.class) {
      throw new IllegalArgumentException(
          "mask must be a boolean tensor (true where the key takes part), got "
              + mask.asOutput().dataType());
    }
    if (!broadcastsTo(mask.shape(), scores.shape(), -1)) {
      throw new IllegalArgumentException(
          "mask must broadcast to the shape of scores " + scores.shape()
              + " (rank at most theirs; from the right each size 1 or equal, e.g. [Tq, Tk] or"
              + " [B, 1, 1, Tk] for [B, H, Tq, Tk] scores), got shape " + mask.shape());
    }
  }

  /**
   * Fails unless the per-head parameter {@code p} (named {@code name}) has the dtype of the scores
   * and broadcasts to the shape of the scores with size 1 on the key axis (non-negative, or -1 for
   * the last axis of an unknown rank, where only a scalar is accepted).
   */
  static void checkPerRow(String name, Operand<?> p, Operand<?> scores, int axis) {
    Checks.floating(name, p);
    Checks.sameType(name, p, "scores", scores);
    Shape s = scores.shape();
    if (p.shape().numDimensions() == 0) {
      return;
    }
    if (s.isUnknown() || !broadcastsTo(p.shape(), s, axis)) {
      throw new IllegalArgumentException(
          name + " must be a scalar or broadcast to the shape of scores with size 1 on the key"
              + " axis (" + (s.isUnknown() ? "scores of unknown rank: a scalar" : rowShape(s, axis))
              + "; e.g. [H, 1, 1] for one value per head of [B, H, Tq, Tk] scores), got shape "
              + p.shape());
    }
  }

  /**
   * Whether {@code small} broadcasts to {@code big} without changing it; with {@code keyAxis} &gt;=
   * 0, the size aligned with that axis of {@code big} must be 1. Unknown sizes match anything.
   */
  private static boolean broadcastsTo(Shape small, Shape big, int keyAxis) {
    if (small.isUnknown()) {
      return false;
    }
    if (big.isUnknown()) {
      return true;
    }
    int offset = big.numDimensions() - small.numDimensions();
    if (offset < 0) {
      return false;
    }
    for (int i = 0; i < small.numDimensions(); i++) {
      long a = small.get(i);
      long b = big.get(i + offset);
      boolean ok = a < 0 || a == 1 || (i + offset != keyAxis && (b < 0 || a == b));
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static Shape rowShape(Shape s, int axis) {
    long[] d = s.asArray();
    d[axis < 0 ? d.length - 1 : axis] = 1;
    return Shape.of(d);
  }

  /**
   * The scores with the keys where {@code mask} is false set to -inf; the scores without a mask.
   * Added as a bias of the mask's shape (0 or -inf): one broadcast pass forward and none backward,
   * where a select would take one each way. The gradient it passes to a masked key is what the
   * normaliser gives a -inf score, exactly 0.
   */
  static <T extends TNumber> Operand<T> applyMask(Ops tf, Operand<T> scores, Operand<TBool> mask) {
    if (mask == null) {
      return scores;
    }
    Operand<T> bias = tf.select(mask, scalar(tf, 0.0, scores),
        scalar(tf, Double.NEGATIVE_INFINITY, scores));
    return tf.math.add(scores, bias);
  }

  /** Whether each key takes part: its (masked) score is not -inf. */
  static <T extends TType> Operand<TBool> keys(Ops tf, Operand<T> z) {
    return tf.math.notEqual(z, scalar(tf, Double.NEGATIVE_INFINITY, z));
  }

  /** The number n of keys that take part, per row over the last axis ([.., 1]), in the dtype of z. */
  static <T extends TNumber> Operand<T> count(Ops tf, Operand<TBool> keys, Operand<T> z) {
    return tf.reduceSum(tf.dtypes.cast(keys, z.type()), tf.constant(-1), ReduceSum.keepDims(true));
  }

  /** log max(n, 1): 0 for rows with one key or none, so that rows without keys stay finite. */
  static <T extends TNumber> Operand<T> logCount(Ops tf, Operand<T> n) {
    return tf.math.log(tf.math.maximum(n, scalar(tf, 1.0, n)));
  }

  /**
   * A per-head parameter {@code p} (checked by {@link #checkPerRow}) broadcast to one value per
   * row: the shape of the scores with size 1 on {@code axis} (non-negative, or -1).
   */
  static <T extends TType> Operand<T> perRow(Ops tf, Operand<T> p, Operand<T> scores, int axis) {
    List<Index> at = new ArrayList<>();
    if (axis < 0) {
      at.add(Indices.ellipsis());
    } else {
      for (int i = 0; i < axis; i++) {
        at.add(Indices.all());
      }
    }
    at.add(Indices.at(0));
    Operand<T> firstKey = tf.stridedSlice(tf.stopGradient(scores), at.toArray(new Index[0]));
    Operand<T> zeros = tf.expandDims(tf.zerosLike(firstKey), tf.constant(axis));
    return tf.math.add(zeros, p);
  }

  /** {@code cond ? a : 0}. */
  static <T extends TType> Operand<T> orZero(Ops tf, Operand<TBool> cond, Operand<T> a) {
    return tf.select(cond, a, scalar(tf, 0.0, a));
  }

  /** A scalar constant of the dtype of {@code like}. */
  static <T extends TType> Operand<T> scalar(Ops tf, double value, Operand<T> like) {
    return tf.dtypes.cast(tf.constant(value), like.type());
  }
}
