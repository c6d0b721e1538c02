package org.beyondsoftmax.ops;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Graph-build-time validation. Every failure is an {@link IllegalArgumentException} whose message
 * starts with the parameter's name and states the allowed range.
 */
final class Checks {
  private Checks() {}

  /** Fails unless {@code x} is float16, bfloat16, float32 or float64. */
  static void floating(String name, Operand<?> x) {
    Class<?> t = x.type();
    if (t != TFloat32.class && t != TFloat64.class && t != TFloat16.class && t != TBfloat16.class) {
      throw new IllegalArgumentException(
          name + " must be a floating tensor (float16, bfloat16, float32 or float64), got "
              + x.asOutput().dataType());
    }
  }

  /** Fails unless {@code x} has the dtype of {@code like} (named {@code likeName}). */
  static void sameType(String name, Operand<?> x, String likeName, Operand<?> like) {
    if (x.type() != like.type()) {
      throw new IllegalArgumentException(name + " must have the dtype of " + likeName + " ("
          + like.asOutput().dataType() + "), got " + x.asOutput().dataType());
    }
  }

  /** Fails unless {@code labels} is int32 or int64. */
  static void integer(String name, Operand<?> labels) {
    Class<?> t = labels.type();
    if (t != TInt32.class && t != TInt64.class) {
      throw new IllegalArgumentException(
          name + " must be an integer tensor (int32 or int64), got " + labels.asOutput().dataType());
    }
  }

  /**
   * Validates {@code axis} against the rank of {@code x} and returns it non-negative, or -1 when the
   * rank is unknown (then only the last axis, -1, is accepted).
   */
  static int axis(String name, int axis, Operand<?> x) {
    int rank = x.shape().numDimensions();
    if (rank == 0) {
      throw new IllegalArgumentException(
          "x must have rank >= 1 (it needs a class axis), got a scalar");
    }
    if (rank < 0) {
      if (axis != -1) {
        throw new IllegalArgumentException(
            name + " must be -1 when the rank of x is unknown, got " + axis);
      }
      return -1;
    }
    if (axis < -rank || axis >= rank) {
      throw new IllegalArgumentException(
          name + " must be in [" + -rank + ", " + (rank - 1) + "] for x of rank " + rank + ", got "
              + axis);
    }
    return axis < 0 ? axis + rank : axis;
  }

  static void atLeast(String name, long value, long min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
    }
  }

  static void positive(String name, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
    }
  }

  static void finite(String name, double value) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " must be finite, got " + value);
    }
  }

  /**
   * Fails unless {@code labels} has the shape of {@code x} without its class axis {@code axis}
   * (non-negative; -1 for the last axis of an unknown rank). Unknown sizes match anything.
   */
  static void labelShape(String name, Operand<?> labels, Operand<?> x, int axis) {
    Shape l = labels.shape();
    Shape s = x.shape();
    if (l.isUnknown() || s.isUnknown()) {
      return;
    }
    if (l.numDimensions() != s.numDimensions() - 1) {
      throw new IllegalArgumentException(
          name + " must have the shape of the logits without the class axis, i.e. rank "
              + (s.numDimensions() - 1) + ", got shape " + l + " for logits " + s);
    }
    for (int i = 0, j = 0; i < s.numDimensions(); i++) {
      if (i == axis) {
        continue;
      }
      long a = s.get(i);
      long b = l.get(j++);
      if (a >= 0 && b >= 0 && a != b) {
        throw new IllegalArgumentException(
            name + " must have the shape of the logits without the class axis: got " + l
                + " for logits " + s + " (class axis " + axis + ")");
      }
    }
  }
}
