package org.beyondsoftmax.framework;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * The adapters' argument checks, named as the framework names its arguments ({@code input},
 * {@code predictions}, {@code labels}, {@code sampleWeights}), at graph-build time: every failure
 * is an {@link IllegalArgumentException} whose message starts with the argument's name and says
 * what is allowed. Unknown ranks and sizes pass (TensorFlow checks them when the graph runs).
 */
public final class Arguments {
  private Arguments() {}

  /** Fails unless {@code x} is float16, bfloat16, float32 or float64. */
  public static void floatingDtype(String name, Operand<?> x) {
    Class<?> t = x.type();
    if (t != TFloat32.class && t != TFloat64.class && t != TFloat16.class && t != TBfloat16.class) {
      throw new IllegalArgumentException(name + " must be a floating tensor (float16, bfloat16, float32"
          + " or float64), got " + x.asOutput().dataType());
    }
  }

  /** Fails unless {@code x} is float16, bfloat16, float32 or float64 with rank &gt;= 1 or unknown. */
  public static void floating(String name, Operand<?> x) {
    floatingDtype(name, x);
    if (x.shape().numDimensions() == 0) {
      throw new IllegalArgumentException(name + " must have rank >= 1 (a class axis), got a scalar");
    }
  }

  /**
   * The class axis of {@code predictions} made non-negative, or -1 when its rank is unknown (then
   * only -1 is accepted).
   */
  public static int classAxis(String name, int axis, Operand<?> predictions) {
    int rank = predictions.shape().numDimensions();
    if (rank < 0) {
      if (axis != -1) {
        throw new IllegalArgumentException(name + " must be -1 when the rank of predictions is unknown, got " + axis);
      }
      return -1;
    }
    if (axis < -rank || axis >= rank) {
      throw new IllegalArgumentException(name + " must be in [" + -rank + ", " + (rank - 1)
          + "] for predictions of rank " + rank + ", got " + axis);
    }
    return axis < 0 ? axis + rank : axis;
  }

  /**
   * The shape of per-example values of {@code predictions} (its shape without the class axis
   * {@code axis}, from {@link #classAxis}), or unknown.
   */
  public static Shape perExample(Operand<?> predictions, int axis) {
    return axis < 0 ? Shape.unknown() : without(predictions.shape(), axis);
  }

  /**
   * Checks class ids against {@code predictions} [.., M, ..] with class axis {@code axis}: int32 or
   * int64, shaped like {@code predictions} without the class axis, or with an extra trailing
   * dimension of size 1 (as the framework's sparse losses accept), which is squeezed away.
   *
   * @param axis the class axis from {@link #classAxis}
   * @return the labels shaped like {@code predictions} without the class axis
   */
  public static Operand<? extends TNumber> classIds(
      Ops tf, String name, Operand<? extends TNumber> labels, Operand<?> predictions, int axis) {
    if (labels == null) {
      throw new IllegalArgumentException(name + " must be given (class ids), got null");
    }
    Class<?> t = labels.type();
    if (t != TInt32.class && t != TInt64.class) {
      throw new IllegalArgumentException(name + " must be class ids, an integer tensor (int32 or int64), got "
          + labels.asOutput().dataType()
          + (t == TFloat32.class || t == TFloat64.class ? " (cast them, or take the argmax of one-hot labels)" : ""));
    }
    Shape l = labels.shape();
    Shape p = predictions.shape();
    if (l.isUnknown() || axis < 0) {
      return labels;
    }
    int rank = p.numDimensions();
    int a = axis;
    Operand<? extends TNumber> ids = labels;
    if (l.numDimensions() == rank && l.get(rank - 1) == 1) {
      ids = tf.squeeze(labels, Squeeze.axis(List.of(-1L)));
      l = ids.shape();
    }
    Shape expected = without(p, a);
    boolean ok = l.numDimensions() == rank - 1;
    for (int i = 0; ok && i < rank - 1; i++) {
      ok = l.get(i) < 0 || expected.get(i) < 0 || l.get(i) == expected.get(i);
    }
    if (!ok) {
      throw new IllegalArgumentException(name + " must be class ids shaped like predictions without the class"
          + " axis " + a + ", " + expected + " (or " + expected.append(1) + "), got " + labels.shape()
          + " for predictions " + p + (labels.shape().equals(p) ? "; one-hot labels? these take class ids" : ""));
    }
    return ids;
  }

  /** Fails unless {@code value} is finite and &gt;= {@code min} (a constructor's parameter). */
  public static double atLeast(String name, double value, double min) {
    if (!Double.isFinite(value) || value < min) {
      throw new IllegalArgumentException(name + " must be finite and >= " + min + ", got " + value);
    }
    return value;
  }

  /** Fails unless {@code value} is finite and &gt; 0 (a constructor's parameter). */
  public static double positive(String name, double value) {
    if (!Double.isFinite(value) || value <= 0) {
      throw new IllegalArgumentException(name + " must be finite and > 0, got " + value);
    }
    return value;
  }

  /** {@code s} without dimension {@code axis} (non-negative). */
  public static Shape without(Shape s, int axis) {
    long[] d = new long[s.numDimensions() - 1];
    for (int i = 0, j = 0; i < s.numDimensions(); i++) {
      if (i != axis) {
        d[j++] = s.get(i);
      }
    }
    return Shape.of(d);
  }

  /**
   * Checks sample weights against per-example values of shape {@code values} (the labels' shape)
   * and shapes them as the framework does: a scalar scales everything; weights of rank r + 1 with
   * a trailing 1 are squeezed, of rank r - 1 get a trailing 1; then they must broadcast to
   * {@code values} without changing it (each size 1 or that of the values).
   *
   * @param weights null, or of the dtype of the predictions ({@code dtype})
   * @return the weights, shaped to broadcast against the values (null stays null)
   */
  public static <T extends TNumber> Operand<T> sampleWeights(
      Ops tf, String name, Operand<T> weights, Shape values, Class<?> dtype) {
    if (weights == null) {
      return null;
    }
    if (weights.type() != dtype) {
      throw new IllegalArgumentException(name + " must have the dtype of predictions, got "
          + weights.asOutput().dataType());
    }
    Shape w = weights.shape();
    if (w.isUnknown() || values.isUnknown() || w.numDimensions() == 0) {
      return weights;
    }
    int r = values.numDimensions();
    Operand<T> shaped = weights;
    if (w.numDimensions() == r + 1 && w.get(r) == 1) {
      shaped = tf.squeeze(weights, Squeeze.axis(List.of(-1L)));
    } else if (w.numDimensions() == r - 1 && r > 0) {
      shaped = tf.expandDims(weights, tf.constant(-1));
    }
    Shape s = shaped.shape();
    boolean ok = s.numDimensions() <= r;
    for (int i = 1; ok && i <= s.numDimensions(); i++) {
      long a = s.get(s.numDimensions() - i);
      long b = values.get(r - i);
      ok = a == 1 || a < 0 || b < 0 || a == b;
    }
    if (!ok) {
      throw new IllegalArgumentException(name + " must be a scalar or broadcast to the per-example values "
          + values + " (the labels' shape; " + values.append(1) + " is squeezed), got " + w);
    }
    return shaped;
  }
}
