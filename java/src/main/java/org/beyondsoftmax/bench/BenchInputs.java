package org.beyondsoftmax.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Supplier;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The data fed to every benchmark graph of one shape, from a seeded {@link Random}: each tensor is
 * created on first use, shared by all ops of the shape (so a [2048, 10000] shape holds one 80 MB
 * logits tensor, not one per op) and closed with this object. Logits, cosines and labels are for
 * [N, M] shapes; scores, the causal mask and per-head values for attention shapes [B, H, Tq, Tk].
 */
public final class BenchInputs implements AutoCloseable {
  /** Raw PLIF slopes: softplus(0.5413) = 1.0000, so PLIF starts as the identity. */
  public static final float PLIF_SLOPE_RAW = 0.5413f;

  private final BenchShape shape;
  private final long seed;
  /** Every tensor made so far, by what it is ("logits", "perHead 0.5", ...). */
  private final Map<String, Tensor> made = new LinkedHashMap<>();

  public BenchInputs(BenchShape shape, long seed) {
    this.shape = shape;
    this.seed = seed;
  }

  public BenchShape shape() {
    return shape;
  }

  /** [N, M] logits, standard normal values times 2. */
  public synchronized TFloat32 logits() {
    return once("logits", () -> normalMatrix(seed, v -> 2 * v));
  }

  /** Attention scores of the shape ([B, H, Tq, Tk]), standard normal values. */
  public synchronized TFloat32 scores() {
    return once("scores", () -> normalMatrix(seed + 3, v -> v));
  }

  /** The causal mask of attention scores [.., Tq, Tk]: [Tq, Tk], true where key &lt;= query. */
  public synchronized TBool causalMask() {
    return once("causalMask", () -> {
      List<Integer> dims = shape.dims();
      int tq = dims.get(dims.size() - 2);
      int tk = dims.get(dims.size() - 1);
      boolean[] keep = new boolean[tq * tk];
      for (int q = 0; q < tq; q++) {
        for (int k = 0; k <= Math.min(q, tk - 1); k++) {
          keep[q * tk + k] = true;
        }
      }
      return TBool.tensorOf(Shape.of(tq, tk), DataBuffers.of(keep, true, false));
    });
  }

  /** One value per head of attention scores [B, H, Tq, Tk]: [H, 1, 1], all {@code value}. */
  public synchronized TFloat32 perHead(double value) {
    return once("perHead " + value, () -> {
      float[] a = new float[shape.dims().get(1)];
      Arrays.fill(a, (float) value);
      return TFloat32.tensorOf(Shape.of(a.length, 1, 1), DataBuffers.of(a, true, false));
    });
  }

  /** [N, M] cosines for margin losses: the logits / 10, clipped to [-1, 1]. */
  public synchronized TFloat32 cosines() {
    return once("cosines", () -> normalMatrix(seed, v -> Math.max(-1, Math.min(1, 2 * v / 10))));
  }

  /** Upstream gradient w of the objectives sum(y * w), of the shape, standard normal. */
  public synchronized TFloat32 upstream() {
    return once("upstream", () -> normalMatrix(seed + 2, v -> v));
  }

  /** [N] int32 labels, uniform in [0, M). */
  public synchronized TInt32 labels() {
    return once("labels", () -> {
      Random random = new Random(seed + 1);
      int[] y = new int[shape.rows()];
      for (int i = 0; i < y.length; i++) {
        y[i] = random.nextInt(shape.classes());
      }
      return TInt32.tensorOf(Shape.of(y.length), DataBuffers.of(y, true, false));
    });
  }

  /** [k] raw PLIF slopes, all {@link #PLIF_SLOPE_RAW}. */
  public synchronized TFloat32 plifSlopesRaw(int k) {
    return once("plifSlopesRaw " + k, () -> {
      float[] s = new float[k];
      Arrays.fill(s, PLIF_SLOPE_RAW);
      return TFloat32.tensorOf(Shape.of(k), DataBuffers.of(s, true, false));
    });
  }

  /** The tensor made for {@code key}, made by {@code make} on first use (the caller holds the lock). */
  @SuppressWarnings("unchecked")
  private <T extends Tensor> T once(String key, Supplier<T> make) {
    return (T) made.computeIfAbsent(key, k -> make.get());
  }

  /** A tensor of the shape, row by row over the last axis (no whole array on the Java heap). */
  private TFloat32 normalMatrix(long matrixSeed, DoubleUnaryOperator f) {
    Random random = new Random(matrixSeed);
    long[] dims = shape.dims().stream().mapToLong(Integer::longValue).toArray();
    return TFloat32.tensorOf(Shape.of(dims), t -> {
      float[] row = new float[shape.classes()];
      long[] at = new long[dims.length - 1];
      for (int i = 0; i < shape.rows(); i++) {
        for (int j = 0; j < row.length; j++) {
          row[j] = (float) f.applyAsDouble(random.nextGaussian());
        }
        for (int d = at.length - 1, r = i; d >= 0; d--) {
          at[d] = r % dims[d];
          r /= (int) dims[d];
        }
        t.get(at).copyFrom(DataBuffers.of(row, true, false));
      }
    });
  }

  @Override
  public synchronized void close() {
    made.values().forEach(Tensor::close);
    made.clear();
  }
}
