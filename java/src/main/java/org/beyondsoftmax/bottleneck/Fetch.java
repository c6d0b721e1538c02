package org.beyondsoftmax.bottleneck;

import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/** Copies fetched tensors into Java arrays (float32, float64, int32), as the experiments read them. */
public final class Fetch {
  private Fetch() {}

  public static double[] doubles(Tensor t) {
    int n = (int) t.shape().size();
    double[] a = new double[n];
    if (t instanceof TFloat64 d) {
      d.copyTo(DataBuffers.of(a, false, false));
      return a;
    }
    float[] f = floats(t);
    for (int i = 0; i < n; i++) {
      a[i] = f[i];
    }
    return a;
  }

  public static float[] floats(Tensor t) {
    int n = (int) t.shape().size();
    float[] a = new float[n];
    if (t instanceof TFloat32 f) {
      f.copyTo(DataBuffers.of(a, false, false));
    } else if (t instanceof TInt32 i) {
      int[] ia = new int[n];
      i.copyTo(DataBuffers.of(ia, false, false));
      for (int k = 0; k < n; k++) {
        a[k] = ia[k];
      }
    } else {
      throw new IllegalArgumentException("unsupported tensor type " + t.dataType());
    }
    return a;
  }

  /** [rows * cols] row-major to rows. */
  public static double[][] matrix(double[] flat, int rows, int cols) {
    double[][] m = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(flat, i * cols, m[i], 0, cols);
    }
    return m;
  }
}
