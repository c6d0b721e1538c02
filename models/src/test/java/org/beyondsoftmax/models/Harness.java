package org.beyondsoftmax.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * The one test helper: a float64 graph with constant inputs, a session initialised on first use,
 * reading and overwriting variables, central finite differences and tolerant comparison.
 */
final class Harness implements AutoCloseable {
  final Graph graph = new Graph();
  final Ops tf = Ops.create(graph);
  private final Map<Variable<?>, Placeholder<TFloat64>> feeds = new HashMap<>();
  private final Map<Variable<?>, Op> assigns = new HashMap<>();
  private Session session;

  HeadConfig<TFloat64> config(int hidden, int classes, long seed) {
    return new HeadConfig<>(tf, TFloat64.class, hidden, classes, seed);
  }

  Operand<TFloat64> constant(double[] data, long... shape) {
    return tf.constant(Shape.of(shape), DataBuffers.of(data, true, false));
  }

  /** A float64 variable holding {@code data} (e.g. hidden states to differentiate or train). */
  Variable<TFloat64> variable(double[] data, long... shape) {
    return tf.variable(tf.withInitScope().constant(Shape.of(shape), DataBuffers.of(data, true, false)));
  }

  Operand<TInt32> labels(int... data) {
    return tf.constant(data);
  }

  /** n x m values, uniform in [-scale, scale), from {@code seed}. */
  static double[] random(long seed, int size, double scale) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] x = new double[size];
    for (int i = 0; i < size; i++) {
      x[i] = scale * (2 * r.nextDouble() - 1);
    }
    return x;
  }

  /** Rows of random distributions [n, m] with some exact zeros. */
  static double[] randomTargets(long seed, int n, int m) {
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

  Session session() {
    if (session == null) {
      session = new Session(graph);
      session.initialize();
    }
    return session;
  }

  List<double[]> run(List<? extends Operand<?>> outputs) {
    Session.Runner r = session().runner();
    outputs.forEach(r::fetch);
    List<double[]> out = new ArrayList<>();
    try (var result = r.run()) {
      for (int i = 0; i < outputs.size(); i++) {
        out.add(toDoubles(result.get(i)));
      }
    }
    return out;
  }

  double[] run(Operand<?> output) {
    return run(List.of(output)).get(0);
  }

  void run(Op op) {
    session().run(op);
  }

  /** Overwrites a float64 variable (an assign op from a placeholder, built on first use). */
  void set(Variable<TFloat64> v, double[] values) {
    Placeholder<TFloat64> p = feeds.computeIfAbsent(
        v, k -> tf.placeholder(TFloat64.class, Placeholder.shape(v.shape())));
    Op assign = assigns.computeIfAbsent(v, k -> tf.assign(v, p));
    try (Tensor t = TFloat64.tensorOf(v.shape(), DataBuffers.of(values, true, false))) {
      session().runner().feed(p, t).addTarget(assign).run();
    }
  }

  /** Central finite differences of the scalar {@code objective} in every entry of {@code v}. */
  double[] numericGradient(Operand<TFloat64> objective, Variable<TFloat64> v, double eps) {
    double[] x = run(v);
    double[] g = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double[] xp = x.clone();
      xp[i] += eps;
      set(v, xp);
      double fp = run(objective)[0];
      double[] xm = x.clone();
      xm[i] -= eps;
      set(v, xm);
      double fm = run(objective)[0];
      g[i] = (fp - fm) / (2 * eps);
    }
    set(v, x);
    return g;
  }

  static double[] toDoubles(Tensor t) {
    int n = (int) t.shape().size();
    double[] a = new double[n];
    if (t instanceof TFloat64 d) {
      var b = DataBuffers.ofDoubles(n);
      d.copyTo(b);
      b.read(a);
    } else if (t instanceof TFloat32 f) {
      var b = DataBuffers.ofFloats(n);
      f.copyTo(b);
      float[] fa = new float[n];
      b.read(fa);
      for (int i = 0; i < n; i++) {
        a[i] = fa[i];
      }
    } else if (t instanceof TInt32 it) {
      var b = DataBuffers.ofInts(n);
      it.copyTo(b);
      int[] ia = new int[n];
      b.read(ia);
      for (int i = 0; i < n; i++) {
        a[i] = ia[i];
      }
    } else {
      throw new IllegalArgumentException("unsupported output type " + t.dataType());
    }
    return a;
  }

  /** Asserts |a - e| &lt;= atol + rtol |e| entrywise; infinities must match exactly. */
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

  static <T extends TType> Variable<TFloat64> float64(Variable<T> v) {
    if (v.type() != TFloat64.class) {
      throw new IllegalArgumentException("not a float64 variable: " + v.op().name());
    }
    @SuppressWarnings("unchecked")
    Variable<TFloat64> d = (Variable<TFloat64>) (Variable<?>) v;
    return d;
  }

  @Override
  public void close() {
    if (session != null) {
      session.close();
    }
    graph.close();
  }
}
