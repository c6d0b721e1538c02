package org.beyondsoftmax.ops.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.IntStream;
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
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * The one test helper of the ops, native and models modules (published as the ops test-jar): a
 * graph with inputs, a session initialised on first use, running outputs as flat doubles,
 * vector-Jacobian products through {@code tf.gradients}, central finite differences, and tolerant
 * comparison.
 *
 * <p>Inputs are placeholders fed at every run ({@link #input}, {@link #input32},
 * {@link #inputUnknownShape}, {@link #labels}) or float64 variables ({@link #variable}, or any
 * other); {@link #set}, {@link #value} and {@link #numericGradient} work on both.
 */
public class TestGraph implements AutoCloseable {
  public final Graph graph = new Graph();
  public final Ops tf = Ops.create(graph);
  private final Map<Operand<?>, double[]> doubles = new LinkedHashMap<>();
  private final Map<Operand<?>, float[]> floats = new LinkedHashMap<>();
  private final Map<Operand<?>, int[]> ints = new LinkedHashMap<>();
  private final Map<Operand<?>, long[]> shapes = new LinkedHashMap<>();
  private final Map<Variable<?>, Placeholder<TFloat64>> assignFeeds = new HashMap<>();
  private final Map<Variable<?>, Op> assigns = new HashMap<>();
  private Session session;

  /** A float64 input with a static shape, fed with {@code data}. */
  public Operand<TFloat64> input(double[] data, long... shape) {
    return placeholder(TFloat64.class, Shape.of(shape), doubles, data.clone(), shape);
  }

  /** A float32 input with a static shape, fed with {@code data} rounded to float. */
  public Operand<TFloat32> input32(double[] data, long... shape) {
    float[] f = new float[data.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) data[i];
    }
    return placeholder(TFloat32.class, Shape.of(shape), floats, f, shape);
  }

  /** A float64 input of unknown shape (checked only when the graph runs), fed with a [shape]. */
  public Operand<TFloat64> inputUnknownShape(double[] data, long... shape) {
    return placeholder(TFloat64.class, Shape.unknown(), doubles, data.clone(), shape);
  }

  /** An int32 input with a static shape. */
  public Operand<TInt32> labels(int[] data, long... shape) {
    return placeholder(TInt32.class, Shape.of(shape), ints, data.clone(), shape);
  }

  /** A placeholder declared with shape {@code declared}, fed with {@code data} as a [shape]. */
  private <T extends TType, A> Operand<T> placeholder(
      Class<T> type, Shape declared, Map<Operand<?>, A> values, A data, long[] shape) {
    Placeholder<T> p = tf.placeholder(type, Placeholder.shape(declared));
    values.put(p, data);
    shapes.put(p, shape);
    return p;
  }

  /** A float64 variable holding {@code data} (e.g. hidden states to differentiate or train). */
  public Variable<TFloat64> variable(double[] data, long... shape) {
    return tf.variable(tf.withInitScope().constant(Shape.of(shape), DataBuffers.of(data, true, false)));
  }

  /**
   * Replaces the value of a float64 input: the data fed to a placeholder, or the value of a
   * variable (assigned at once, through an assign op built on first use).
   */
  public void set(Operand<TFloat64> in, double[] data) {
    if (in instanceof Variable<TFloat64> v) {
      Placeholder<TFloat64> p = assignFeeds.computeIfAbsent(
          v, k -> tf.placeholder(TFloat64.class, Placeholder.shape(v.shape())));
      Op assign = assigns.computeIfAbsent(v, k -> tf.assign(v, p));
      try (Tensor t = TFloat64.tensorOf(v.shape(), DataBuffers.of(data, true, false))) {
        session().runner().feed(p, t).addTarget(assign).run();
      }
      return;
    }
    doubles.put(in, data.clone());
  }

  /** The current value of a float64 input (fed data, or a variable's value). */
  public double[] value(Operand<TFloat64> in) {
    return in instanceof Variable<TFloat64> ? run(in) : doubles.get(in).clone();
  }

  /** The session of this graph, created and initialised (variables) on first use. */
  public Session session() {
    if (session == null) {
      session = new Session(graph);
      session.initialize();
    }
    return session;
  }

  /** Runs {@code outputs}; returns each flattened as doubles (float32/64, int32/64 outputs). */
  public List<double[]> run(List<? extends Operand<?>> outputs) {
    List<Tensor> fed = new ArrayList<>();
    try {
      Session.Runner r = feedInputs(session().runner(), fed);
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

  public double[] run(Operand<?> output) {
    return run(List.of(output)).get(0);
  }

  /** Runs {@code op} (a training step, say) with the inputs fed. */
  public void run(Op op) {
    List<Tensor> fed = new ArrayList<>();
    try {
      feedInputs(session().runner(), fed).addTarget(op).run();
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  /** Feeds every placeholder input to {@code r}; the tensors go to {@code fed}, to be closed. */
  private Session.Runner feedInputs(Session.Runner r, List<Tensor> fed) {
    feed(r, fed, doubles, (s, a) -> TFloat64.tensorOf(s, DataBuffers.of(a, true, false)));
    feed(r, fed, floats, (s, a) -> TFloat32.tensorOf(s, DataBuffers.of(a, true, false)));
    feed(r, fed, ints, (s, a) -> TInt32.tensorOf(s, DataBuffers.of(a, true, false)));
    return r;
  }

  private <A> void feed(Session.Runner r, List<Tensor> fed, Map<Operand<?>, A> values,
      BiFunction<Shape, A, Tensor> tensor) {
    for (var e : values.entrySet()) {
      Tensor t = tensor.apply(Shape.of(shapes.get(e.getKey())), e.getValue());
      fed.add(t);
      r.feed(e.getKey(), t);
    }
  }

  /** A tensor's values, flattened in row-major order, as doubles (float32/64, int32/64). */
  public static double[] toDoubles(Tensor t) {
    int n = (int) t.shape().size();
    if (t instanceof TFloat64 d) {
      double[] a = new double[n];
      d.copyTo(DataBuffers.of(a, false, false));
      return a;
    }
    if (t instanceof TFloat32 f) {
      float[] a = new float[n];
      f.copyTo(DataBuffers.of(a, false, false));
      return IntStream.range(0, n).mapToDouble(i -> a[i]).toArray();
    }
    if (t instanceof TInt32 it) {
      int[] a = new int[n];
      it.copyTo(DataBuffers.of(a, false, false));
      return IntStream.range(0, n).mapToDouble(i -> a[i]).toArray();
    }
    if (t instanceof TInt64 l) {
      long[] a = new long[n];
      l.copyTo(DataBuffers.of(a, false, false));
      return IntStream.range(0, n).mapToDouble(i -> a[i]).toArray();
    }
    throw new IllegalArgumentException("unsupported output type " + t.dataType());
  }

  /** The op types in the graph whose name starts with {@code prefix}. */
  public Set<String> opTypes(String prefix) {
    Set<String> types = new TreeSet<>();
    graph.operations().forEachRemaining(o -> {
      if (o.type().startsWith(prefix)) {
        types.add(o.type());
      }
    });
    return types;
  }

  /** d sum(dy * y) / d x for each x, via tf.gradients; dy is a float64 input of y's shape. */
  public List<Operand<?>> vjp(Operand<TFloat64> y, Operand<TFloat64> dy, List<? extends Operand<?>> xs) {
    return grads(objective(y, dy), xs);
  }

  /** d objective / d x for each x (any floating dtypes), via tf.gradients. */
  public List<Operand<?>> grads(Operand<?> objective, List<? extends Operand<?>> xs) {
    List<Operand<?>> grads = new ArrayList<>();
    tf.gradients(objective, xs).forEach(grads::add);
    return grads;
  }

  /** sum(dy * y), with dy = 0 entries contributing 0 even where y is infinite. */
  public Operand<TFloat64> objective(Operand<TFloat64> y, Operand<TFloat64> dy) {
    var zero = tf.math.equal(dy, tf.zerosLike(dy));
    Operand<TFloat64> prod = tf.select(zero, tf.zerosLike(dy), tf.math.mul(dy, y));
    return tf.reduceSum(prod, tf.range(tf.constant(0), tf.rank(prod), tf.constant(1)));
  }

  /**
   * Central finite differences of the scalar {@code objective} in every entry of {@code in} (a
   * placeholder input or a variable); infinite entries (masks) are skipped, their gradient is 0.
   */
  public double[] numericGradient(Operand<TFloat64> objective, Operand<TFloat64> in, double eps) {
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

  /**
   * Asserts that tf.gradients of the scalar {@code objective} in each input (named {@code names})
   * matches its central finite differences with step {@code eps}, within atol + rtol |numeric|.
   *
   * @return the analytic gradients, in the order of {@code inputs}
   */
  public List<double[]> assertGradients(Operand<TFloat64> objective,
      List<? extends Operand<TFloat64>> inputs, List<String> names, double eps, double atol, double rtol) {
    List<double[]> analytic = run(grads(objective, inputs));
    for (int k = 0; k < inputs.size(); k++) {
      assertClose(names.get(k), numericGradient(objective, inputs.get(k), eps), analytic.get(k), atol, rtol);
    }
    return analytic;
  }

  /** Asserts |a - e| &lt;= atol + rtol |e| entrywise; infinities must match exactly. */
  public static void assertClose(String what, double[] expected, double[] actual, double atol, double rtol) {
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
