package org.beyondsoftmax.savedmodel;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The values of one tensor in row-major order with their shape, between JSON-like host values and
 * TensorFlow: a served instance's input (its shape without the batch axis), a whole batch, a
 * batch of calibration examples ({@link LabelledData}). Integers are held as {@code long}, reals as
 * {@code double}, booleans as 0/1; {@link #toTensor} narrows to the dtype.
 *
 * @param longs the values of an integer or boolean tensor (null otherwise)
 * @param doubles the values of a floating-point tensor (null otherwise)
 */
public record TensorValues(ValueType type, long[] shape, long[] longs, double[] doubles) {
  public TensorValues {
    long n = size(shape);
    int have = longs != null ? longs.length : doubles.length;
    if (n != have) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got " + have);
    }
  }

  static long size(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  public int size() {
    return longs != null ? longs.length : doubles.length;
  }

  /** Whether values are held as longs (integers and booleans). */
  public boolean integral() {
    return longs != null;
  }

  /** The instances stacked along a new first axis; all must have this type and shape. */
  public static TensorValues stack(List<TensorValues> rows) {
    TensorValues first = rows.get(0);
    long[] shape = new long[first.shape.length + 1];
    shape[0] = rows.size();
    System.arraycopy(first.shape, 0, shape, 1, first.shape.length);
    int n = first.size();
    long[] longs = first.integral() ? new long[n * rows.size()] : null;
    double[] doubles = first.integral() ? null : new double[n * rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      TensorValues r = rows.get(i);
      if (r.type != first.type || !Arrays.equals(r.shape, first.shape)) {
        throw new IllegalArgumentException("cannot stack " + r.type + Arrays.toString(r.shape) + " onto "
            + first.type + Arrays.toString(first.shape));
      }
      if (longs != null) {
        System.arraycopy(r.longs, 0, longs, i * n, n);
      } else {
        System.arraycopy(r.doubles, 0, doubles, i * n, n);
      }
    }
    return new TensorValues(first.type, shape, longs, doubles);
  }

  /** A new tensor of this type, shape and values (the caller closes it). */
  public Tensor toTensor() {
    Shape s = Shape.of(shape);
    int n = size();
    switch (type) {
      case INT32: {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
          a[i] = (int) longs[i];
        }
        return TInt32.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case INT64:
        return TInt64.tensorOf(s, DataBuffers.of(longs, true, false));
      case FLOAT: {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
          a[i] = (float) doubles[i];
        }
        return TFloat32.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case DOUBLE:
        return TFloat64.tensorOf(s, DataBuffers.of(doubles, true, false));
      case BOOL: {
        boolean[] a = new boolean[n];
        for (int i = 0; i < n; i++) {
          a[i] = longs[i] != 0;
        }
        return TBool.tensorOf(s, DataBuffers.of(a, true, false));
      }
      default:
        throw new AssertionError(type);
    }
  }

  /** The type, shape and values of {@code tensor}. */
  public static TensorValues of(Tensor tensor) {
    long[] shape = tensor.shape().asArray();
    int n = (int) tensor.shape().size();
    if (tensor instanceof TInt32 t) {
      int[] a = new int[n];
      t.copyTo(DataBuffers.of(a, false, false));
      return new TensorValues(ValueType.INT32, shape, Arrays.stream(a).asLongStream().toArray(), null);
    }
    if (tensor instanceof TInt64 t) {
      long[] a = new long[n];
      t.copyTo(DataBuffers.of(a, false, false));
      return new TensorValues(ValueType.INT64, shape, a, null);
    }
    if (tensor instanceof TFloat32 t) {
      float[] a = new float[n];
      t.copyTo(DataBuffers.of(a, false, false));
      double[] d = new double[n];
      for (int i = 0; i < n; i++) {
        d[i] = a[i];
      }
      return new TensorValues(ValueType.FLOAT, shape, null, d);
    }
    if (tensor instanceof TFloat64 t) {
      double[] a = new double[n];
      t.copyTo(DataBuffers.of(a, false, false));
      return new TensorValues(ValueType.DOUBLE, shape, null, a);
    }
    if (tensor instanceof TBool t) {
      boolean[] a = new boolean[n];
      t.copyTo(DataBuffers.of(a, false, false));
      long[] l = new long[n];
      for (int i = 0; i < n; i++) {
        l[i] = a[i] ? 1 : 0;
      }
      return new TensorValues(ValueType.BOOL, shape, l, null);
    }
    throw new IllegalArgumentException("tensors of type " + tensor.dataType() + " are not served as JSON");
  }

  /** Row {@code i} of a batch (the first axis removed). */
  public TensorValues row(int i) {
    if (shape.length == 0 || i < 0 || i >= shape[0]) {
      throw new IndexOutOfBoundsException("row " + i + " of shape " + Arrays.toString(shape));
    }
    long[] s = Arrays.copyOfRange(shape, 1, shape.length);
    int n = (int) size(s);
    return new TensorValues(type, s, longs == null ? null : Arrays.copyOfRange(longs, i * n, (i + 1) * n),
        doubles == null ? null : Arrays.copyOfRange(doubles, i * n, (i + 1) * n));
  }
}
