package org.beyondsoftmax.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The data fed to every benchmark graph of one shape, from a seeded {@link Random}: each tensor is
 * created on first use, shared by all ops of the shape (so a [2048, 10000] shape holds one 80 MB
 * logits tensor, not one per op) and closed with this object.
 */
public final class BenchInputs implements AutoCloseable {
  /** Raw PLIF slopes: softplus(0.5413) = 1.0000, so PLIF starts as the identity. */
  public static final float PLIF_SLOPE_RAW = 0.5413f;

  private final BenchShape shape;
  private final long seed;
  private TFloat32 logits;
  private TFloat32 cosines;
  private TFloat32 upstream;
  private TInt32 labels;
  private final Map<Integer, TFloat32> slopesRaw = new LinkedHashMap<>();

  public BenchInputs(BenchShape shape, long seed) {
    this.shape = shape;
    this.seed = seed;
  }

  public BenchShape shape() {
    return shape;
  }

  /** [N, M] logits, standard normal values times 2. */
  public synchronized TFloat32 logits() {
    if (logits == null) {
      logits = normalMatrix(seed, v -> 2 * v);
    }
    return logits;
  }

  /** [N, M] cosines for margin losses: the logits / 10, clipped to [-1, 1]. */
  public synchronized TFloat32 cosines() {
    if (cosines == null) {
      cosines = normalMatrix(seed, v -> Math.max(-1, Math.min(1, 2 * v / 10)));
    }
    return cosines;
  }

  /** [N, M] upstream gradient w of the objectives sum(y * w), standard normal. */
  public synchronized TFloat32 upstream() {
    if (upstream == null) {
      upstream = normalMatrix(seed + 2, v -> v);
    }
    return upstream;
  }

  /** [N] int32 labels, uniform in [0, M). */
  public synchronized TInt32 labels() {
    if (labels == null) {
      Random random = new Random(seed + 1);
      int[] y = new int[shape.rows()];
      for (int i = 0; i < y.length; i++) {
        y[i] = random.nextInt(shape.classes());
      }
      labels = TInt32.tensorOf(Shape.of(y.length), DataBuffers.of(y, true, false));
    }
    return labels;
  }

  /** [k] raw PLIF slopes, all {@link #PLIF_SLOPE_RAW}. */
  public synchronized TFloat32 plifSlopesRaw(int k) {
    return slopesRaw.computeIfAbsent(k, n -> {
      float[] s = new float[n];
      Arrays.fill(s, PLIF_SLOPE_RAW);
      return TFloat32.tensorOf(Shape.of(n), DataBuffers.of(s, true, false));
    });
  }

  /** Row by row (no [N, M] array on the Java heap). */
  private TFloat32 normalMatrix(long matrixSeed, DoubleUnaryOperator f) {
    Random random = new Random(matrixSeed);
    return TFloat32.tensorOf(Shape.of(shape.rows(), shape.classes()), t -> {
      float[] row = new float[shape.classes()];
      for (int i = 0; i < shape.rows(); i++) {
        for (int j = 0; j < row.length; j++) {
          row[j] = (float) f.applyAsDouble(random.nextGaussian());
        }
        t.get(i).copyFrom(DataBuffers.of(row, true, false));
      }
    });
  }

  @Override
  public synchronized void close() {
    closeQuietly(logits);
    closeQuietly(cosines);
    closeQuietly(upstream);
    closeQuietly(labels);
    slopesRaw.values().forEach(BenchInputs::closeQuietly);
    logits = cosines = upstream = null;
    labels = null;
    slopesRaw.clear();
  }

  private static void closeQuietly(Tensor t) {
    if (t != null) {
      t.close();
    }
  }
}
