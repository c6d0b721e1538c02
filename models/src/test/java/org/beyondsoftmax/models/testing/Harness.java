package org.beyondsoftmax.models.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Function;
import org.beyondsoftmax.models.heads.HeadConfig;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * The shared {@link TestGraph} with what the heads' tests add: float64 head configurations,
 * constant inputs and labels, seeded random data, and a head parameter's variable as float64.
 */
public final class Harness extends TestGraph {
  public HeadConfig<TFloat64> config(int hidden, int classes, long seed) {
    return new HeadConfig<>(tf, TFloat64.class, hidden, classes, seed);
  }

  public Operand<TFloat64> constant(double[] data, long... shape) {
    return tf.constant(Shape.of(shape), DataBuffers.of(data, true, false));
  }

  /** Labels as a constant (the shared {@link #labels(int[], long...)} is a fed input). */
  public Operand<TInt32> constantLabels(int... data) {
    return tf.constant(data);
  }

  /**
   * Asserts that {@code parse} refuses {@code text} with an {@link IllegalArgumentException} whose
   * message contains {@code message} (the spec parsers' bad-input tests).
   */
  public static void assertRefused(Function<String, ?> parse, String text, String message) {
    var e = assertThrows(IllegalArgumentException.class, () -> parse.apply(text));
    assertTrue(e.getMessage().contains(message), "'" + text + "': " + e.getMessage());
  }

  /** n x m values, uniform in [-scale, scale), from {@code seed}. */
  public static double[] random(long seed, int size, double scale) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] x = new double[size];
    for (int i = 0; i < size; i++) {
      x[i] = scale * (2 * r.nextDouble() - 1);
    }
    return x;
  }

  /** Rows of random distributions [n, m] with some exact zeros. */
  public static double[] randomTargets(long seed, int n, int m) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] q = new double[n * m];
    for (int i = 0; i < n; i++) {
      double sum = 0;
      for (int j = 0; j < m; j++) {
        double v = j == i % m || r.nextDouble() < 0.6 ? r.nextDouble() + 0.05 : 0;
        q[i * m + j] = v;
        sum += v;
      }
      for (int j = 0; j < m; j++) {
        q[i * m + j] /= sum;
      }
    }
    return q;
  }

  public static <T extends TType> Variable<TFloat64> float64(Variable<T> v) {
    if (v.type() != TFloat64.class) {
      throw new IllegalArgumentException("not a float64 variable: " + v.op().name());
    }
    @SuppressWarnings("unchecked")
    Variable<TFloat64> d = (Variable<TFloat64>) (Variable<?>) v;
    return d;
  }
}
