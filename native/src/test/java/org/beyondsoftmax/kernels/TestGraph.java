package org.beyondsoftmax.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.DoubleDataBuffer;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.ndarray.buffer.IntDataBuffer;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The one test helper of this module (the ops module's, plus float32 and unknown-shape inputs): a
 * graph with fed inputs, running outputs, vector-Jacobian products through {@code tf.gradients},
 * central finite differences, tolerant comparison, and the op types a graph holds.
 */
final class TestGraph implements AutoCloseable {
  final Graph graph = new Graph();
  final Ops tf = Ops.create(graph);
  private final Map<Operand<?>, double[]> doubles = new LinkedHashMap<>();
  private final Map<Operand<?>, int[]> ints = new LinkedHashMap<>();
  private final Map<Operand<?>, float[]> floats = new LinkedHashMap<>();
  private final Map<Operand<?>, long[]> shapes = new LinkedHashMap<>();
  private Session session;

  /** A float64 input with a static shape, fed with {@code data}. */
  Operand<TFloat64> input(double[] data, long... shape) {
    Placeholder<TFloat64> p = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(shape)));
    doubles.put(p, data.clone());
    shapes.put(p, shape);
    return p;
  }

  /** A float32 input with a static shape, fed with {@code data} rounded to float. */
  Operand<TFloat32> input32(double[] data, long... shape) {
    Placeholder<TFloat32> p = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(shape)));
    float[] f = new float[data.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) data[i];
    }
    floats.put(p, f);
    shapes.put(p, shape);
    return p;
  }

  /** A float64 input of unknown shape (checked only when the graph runs), fed with a [shape]. */
  Operand<TFloat64> inputUnknownShape(double[] data, long... shape) {
    Placeholder<TFloat64> p = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.unknown()));
    doubles.put(p, data.clone());
    shapes.put(p, shape);
    return p;
  }

  /** The op types in the graph whose name starts with {@code prefix}. */
  java.util.Set<String> opTypes(String prefix) {
    java.util.Set<String> types = new java.util.TreeSet<>();
    graph.operations().forEachRemaining(o -> {
      if (o.type().startsWith(prefix)) {
        types.add(o.type());
      }
    });
    return types;
  }

  /** An int32 input with a static shape. */
  Operand<TInt32> labels(int[] data, long... shape) {
    Placeholder<TInt32> p = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(shape)));
    ints.put(p, data.clone());
    shapes.put(p, shape);
    return p;
  }

  /** Replaces the value fed to a float64 input. */
  void set(Operand<TFloat64> in, double[] data) {
    doubles.put(in, data.clone());
  }

  double[] value(Operand<TFloat64> in) {
    return doubles.get(in).clone();
  }

  /** Runs {@code outputs}; returns each flattened as doubles (float32/64, int32/64 outputs). */
  List<double[]> run(List<? extends Operand<?>> outputs) {
    if (session == null) {
      session = new Session(graph);
    }
    List<Tensor> fed = new ArrayList<>();
    try {
      Session.Runner r = session.runner();
      for (var e : doubles.entrySet()) {
        Tensor t = TFloat64.tensorOf(Shape.of(shapes.get(e.getKey())), DataBuffers.of(e.getValue(), true, false));
        fed.add(t);
        r.feed(e.getKey(), t);
      }
      for (var e : floats.entrySet()) {
        Tensor t = TFloat32.tensorOf(Shape.of(shapes.get(e.getKey())), DataBuffers.of(e.getValue(), true, false));
        fed.add(t);
        r.feed(e.getKey(), t);
      }
      for (var e : ints.entrySet()) {
        Tensor t = TInt32.tensorOf(Shape.of(shapes.get(e.getKey())), DataBuffers.of(e.getValue(), true, false));
        fed.add(t);
        r.feed(e.getKey(), t);
      }
      outputs.forEach(r::fetch);
      List<double[]> out = new ArrayList<>();
      try (var result = r.run()) {
        for (int i = 0; i < outputs.size(); i++) {
          out.add(toDoubles(result.get(i)));
        }
      }
      return out;
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  double[] run(Operand<?> output) {
    return run(List.of(output)).get(0);
  }

  static double[] toDoubles(Tensor t) {
    int n = (int) t.shape().size();
    if (t instanceof TFloat64 d) {
      DoubleDataBuffer b = DataBuffers.ofDoubles(n);
      d.copyTo(b);
      double[] a = new double[n];
      b.read(a);
      return a;
    }
    if (t instanceof TFloat32 f) {
      FloatDataBuffer b = DataBuffers.ofFloats(n);
      f.copyTo(b);
      float[] a = new float[n];
      b.read(a);
      double[] r = new double[n];
      for (int i = 0; i < n; i++) {
        r[i] = a[i];
      }
      return r;
    }
    if (t instanceof TInt32 it) {
      IntDataBuffer b = DataBuffers.ofInts(n);
      it.copyTo(b);
      int[] a = new int[n];
      b.read(a);
      double[] r = new double[n];
      for (int i = 0; i < n; i++) {
        r[i] = a[i];
      }
      return r;
    }
    if (t instanceof TInt64 l) {
      double[] r = new double[n];
      for (int i = 0; i < n; i++) {
        r[i] = l.rank() == 0 ? l.getLong() : l.getLong(flatIndex(l.shape(), i));
      }
      return r;
    }
    throw new IllegalArgumentException("unsupported output type " + t.dataType());
  }

  private static long[] flatIndex(Shape s, long i) {
    long[] idx = new long[s.numDimensions()];
    for (int d = s.numDimensions() - 1; d >= 0; d--) {
      idx[d] = i % s.get(d);
      i /= s.get(d);
    }
    return idx;
  }

  /** d sum(dy * y) / d x for each x, via tf.gradients; dy is a float64 input of y's shape. */
  List<Operand<?>> vjp(Operand<TFloat64> y, Operand<TFloat64> dy, List<? extends Operand<?>> xs) {
    return grads(objective(y, dy), xs);
  }

  /** d objective / d x for each x (any floating dtypes), via tf.gradients. */
  List<Operand<?>> grads(Operand<?> objective, List<? extends Operand<?>> xs) {
    List<Operand<?>> grads = new ArrayList<>();
    tf.gradients(objective, xs).forEach(grads::add);
    return grads;
  }

  /** sum(dy * y), with dy = 0 entries contributing 0 even where y is infinite. */
  Operand<TFloat64> objective(Operand<TFloat64> y, Operand<TFloat64> dy) {
    var zero = tf.math.equal(dy, tf.zerosLike(dy));
    Operand<TFloat64> prod = tf.select(zero, tf.zerosLike(dy), tf.math.mul(dy, y));
    return tf.reduceSum(prod, tf.range(tf.constant(0), tf.rank(prod), tf.constant(1)));
  }

  /** Central finite differences of the scalar {@code objective} in every entry of {@code in}. */
  double[] numericGradient(Operand<TFloat64> objective, Operand<TFloat64> in, double eps) {
    double[] x = value(in);
    double[] g = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      if (Double.isInfinite(x[i])) {
        continue; // masked entries: the gradient must be 0 there
      }
      double[] xp = x.clone();
      xp[i] += eps;
      set(in, xp);
      double fp = run(objective)[0];
      double[] xm = x.clone();
      xm[i] -= eps;
      set(in, xm);
      double fm = run(objective)[0];
      g[i] = (fp - fm) / (2 * eps);
    }
    set(in, x);
    return g;
  }

  /** Asserts |a - e| <= atol + rtol |e| entrywise; infinities must match exactly. */
  static void assertClose(String what, double[] expected, double[] actual, double atol, double rtol) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double a = actual[i];
      if (Double.isNaN(a)) {
        fail(what + "[" + i + "]: NaN, expected " + e);
      }
      if (Double.isInfinite(e) || Double.isInfinite(a)) {
        assertEquals(e, a, what + "[" + i + "]");
        continue;
      }
      if (Math.abs(a - e) > atol + rtol * Math.abs(e)) {
        fail(String.format("%s[%d]: expected %.12g, got %.12g (|diff| %.3g > %.3g)", what, i, e, a,
            Math.abs(a - e), atol + rtol * Math.abs(e)));
      }
    }
  }

  @Override
  public void close() {
    if (session != null) {
      session.close();
    }
    graph.close();
  }
}
