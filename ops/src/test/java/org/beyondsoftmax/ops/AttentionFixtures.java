package org.beyondsoftmax.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TFloating;

/**
 * The attention normalisers as test cases, and masked score layouts to run them on, for
 * AttentionGradientTest and AttentionPropertiesTest.
 */
final class AttentionFixtures {
  private AttentionFixtures() {}

  /** What a normaliser's per-head parameter is. */
  enum Param { NONE, ALPHA, S }

  /** Each attention normaliser, with its constant or per-head parameter. */
  enum Normaliser {
    SOFTMAX(Param.NONE, true),
    SPARSEMAX(Param.NONE, true),
    ENTMAX_15(Param.NONE, true),
    ENTMAX_13(Param.NONE, true),
    ENTMAX_PER_HEAD(Param.ALPHA, true),
    SSMAX_07(Param.NONE, true),
    SSMAX_PER_HEAD(Param.S, true),
    SOFTPICK(Param.NONE, false),
    SIGMOID(Param.NONE, false);

    final Param param;
    final boolean sumsToOne;

    Normaliser(Param param, boolean sumsToOne) {
      this.param = param;
      this.sumsToOne = sumsToOne;
    }

    /** The weights of scores x (mask may be null; p is the per-head parameter or null). */
    <T extends TFloating> Operand<T> apply(
        Ops tf, Operand<T> x, Operand<TBool> mask, Operand<T> p, int axis) {
      return switch (this) {
        case SOFTMAX -> AttentionNormalisers.softmax(tf, x, mask, axis);
        case SPARSEMAX -> AttentionNormalisers.sparsemax(tf, x, mask, axis);
        case ENTMAX_15 -> AttentionNormalisers.entmax(tf, x, mask, 1.5, axis);
        case ENTMAX_13 -> AttentionNormalisers.entmax(tf, x, mask, 1.3, axis);
        case ENTMAX_PER_HEAD -> AttentionNormalisers.entmax(tf, x, mask, p, axis);
        case SSMAX_07 -> AttentionNormalisers.ssmax(tf, x, mask, 0.7, axis);
        case SSMAX_PER_HEAD -> AttentionNormalisers.ssmax(tf, x, mask, p, axis);
        case SOFTPICK -> AttentionNormalisers.softpick(tf, x, mask, AttentionNormalisers.SOFTPICK_EPS, axis);
        case SIGMOID -> AttentionNormalisers.sigmoid(tf, x, mask, axis);
      };
    }

    /** Per-head parameter values, cycled over the heads (or rows). */
    double[] paramValues(int n) {
      double[] base = param == Param.ALPHA ? new double[] {1.2, 1.5, 1.8, 1.35}
          : new double[] {0.6, 1.0, 1.4, 0.8};
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = base[i % base.length];
      }
      return v;
    }
  }

  /**
   * Scores of a shape with the keys on {@code axis}, a boolean mask of shape {@code maskShape}
   * (broadcast over the leading axes) given by {@code keep}, scores set to -inf at
   * {@code negInf} (flat indices into the scores), and the shape of a per-head parameter.
   */
  record Layout(String name, long[] shape, int axis, long[] maskShape, boolean[] keep,
      int[] negInf, long[] paramShape) {
    @Override
    public String toString() {
      return name;
    }

    int size() {
      return (int) Shape.of(shape).size();
    }

    int keyAxis() {
      return axis < 0 ? shape.length + axis : axis;
    }

    /** Gaussian scores times {@code scale} with the -inf entries of the layout. */
    double[] scores(long seed, double scale) {
      double[] x = PropertiesTest.random(seed, size(), scale);
      for (int i : negInf) {
        x[i] = Double.NEGATIVE_INFINITY;
      }
      return x;
    }

    Operand<TBool> mask(Ops tf) {
      return keep == null ? null
          : tf.constant(Shape.of(maskShape), DataBuffers.ofBooleans(keep.length).write(keep));
    }

    /** Whether the entry at flat index i of the scores is a masked key (mask false or -inf). */
    boolean masked(double[] x, int i) {
      if (x[i] == Double.NEGATIVE_INFINITY) {
        return true;
      }
      if (keep == null) {
        return false;
      }
      return !keep[broadcastIndex(i, maskShape)];
    }

    /** The flat index into a tensor of shape {@code small} (broadcast to the scores) at entry i. */
    int broadcastIndex(int i, long[] small) {
      long[] c = coordinates(i, shape);
      int flat = 0;
      int offset = shape.length - small.length;
      for (int d = 0; d < small.length; d++) {
        flat = flat * (int) small[d] + (small[d] == 1 ? 0 : (int) c[d + offset]);
      }
      return flat;
    }

    /** The flat indices of the row through flat index i (along the key axis). */
    int[] row(int i) {
      long[] c = coordinates(i, shape);
      int k = keyAxis();
      int[] out = new int[(int) shape[k]];
      for (int j = 0; j < out.length; j++) {
        c[k] = j;
        out[j] = flatIndex(c, shape);
      }
      return out;
    }

    /** Every row: the flat indices of the entries along the key axis, rows in order. */
    List<int[]> rows() {
      List<int[]> rows = new ArrayList<>();
      boolean[] seen = new boolean[size()];
      for (int i = 0; i < seen.length; i++) {
        if (!seen[i]) {
          int[] row = row(i);
          for (int j : row) {
            seen[j] = true;
          }
          rows.add(row);
        }
      }
      return rows;
    }

    int paramSize() {
      return (int) Shape.of(paramShape).size();
    }
  }

  static long[] coordinates(long flat, long[] shape) {
    long[] c = new long[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      c[d] = flat % shape[d];
      flat /= shape[d];
    }
    return c;
  }

  static int flatIndex(long[] c, long[] shape) {
    int f = 0;
    for (int d = 0; d < shape.length; d++) {
      f = f * (int) shape[d] + (int) c[d];
    }
    return f;
  }

  /** keep[q][k] = k &lt;= q + offset, as a flat [rows, cols] array (causal with an offset). */
  static boolean[] causal(int rows, int cols, int offset) {
    boolean[] keep = new boolean[rows * cols];
    for (int q = 0; q < rows; q++) {
      for (int k = 0; k < cols; k++) {
        keep[q * cols + k] = k <= q + offset;
      }
    }
    return keep;
  }

  /** The transpose of a flat [rows, cols] array. */
  static boolean[] transpose(boolean[] a, int rows, int cols) {
    boolean[] t = new boolean[a.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        t[c * rows + r] = a[r * cols + c];
      }
    }
    return t;
  }

  /** The flat indices of the row of a rank-4 [B, H, Tq, Tk] tensor at (b, h, q). */
  private static int[] lastAxisRow(long[] shape, int b, int h, int q) {
    int tk = (int) shape[3];
    int[] idx = new int[tk];
    for (int k = 0; k < tk; k++) {
      idx[k] = flatIndex(new long[] {b, h, q, k}, shape);
    }
    return idx;
  }

  private static int[] concat(int[]... parts) {
    return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
  }

  /** [4, 6]: a [4, 6] mask with row 2 fully masked, two -inf entries; one parameter per row. */
  static Layout rank2() {
    boolean[] keep = causal(4, 6, 2);
    Arrays.fill(keep, 12, 18, false);
    return new Layout("rank 2", new long[] {4, 6}, -1, new long[] {4, 6}, keep,
        new int[] {1, 20}, new long[] {4, 1});
  }

  /**
   * [2, 3, 4, 5] (B, H, Tq, Tk): a causal [Tq, Tk] mask, the row (1, 2, 3) all -inf, two more -inf
   * entries; one parameter per head ([3, 1, 1]).
   */
  static Layout rank4() {
    long[] shape = {2, 3, 4, 5};
    return new Layout("rank 4", shape, -1, new long[] {4, 5}, causal(4, 5, 1),
        concat(lastAxisRow(shape, 1, 2, 3), new int[] {13, 47}), new long[] {3, 1, 1});
  }

  /**
   * [2, 3, 5, 4] with the keys on axis 2 (B, H, Tk, Tq): the causal mask transposed ([5, 4]),
   * the keys of (b, h, q) = (0, 1, 2) all -inf; one parameter per head ([3, 1, 1]).
   */
  static Layout rank4KeysOnAxis2() {
    long[] shape = {2, 3, 5, 4};
    int[] dead = new int[5];
    for (int k = 0; k < 5; k++) {
      dead[k] = flatIndex(new long[] {0, 1, k, 2}, shape);
    }
    return new Layout("rank 4, keys on axis 2", shape, 2, new long[] {5, 4},
        transpose(causal(4, 5, 1), 4, 5), concat(dead, new int[] {7}), new long[] {3, 1, 1});
  }

  /** The per-head parameter of {@code n} on {@code layout} as a float64 input (null if none). */
  static Operand<org.tensorflow.types.TFloat64> param(TestGraph g, Normaliser n, Layout layout) {
    return n.param == Param.NONE ? null
        : g.input(n.paramValues(layout.paramSize()), layout.paramShape());
  }
}
