package org.beyondsoftmax.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssertThat;
import org.tensorflow.op.core.ReduceAny;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TBfloat16;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * The validated inputs of a {@link NeuralCache} op, laid out as [N, T, ..] (T = 1 for queries
 * [N, d]) in the compute dtype (float32 for half precision): queries [N, T, d], keys [N, L, d],
 * memory words [N, 1, L] (int64) and validity [N, T, L]. {@link #restore} brings a result back to
 * the caller's layout and dtype. Also the checks of the scalar parameters lambda and theta.
 */
final class CacheInputs {
  private final Ops tf;
  private final boolean sequences;
  private final Class<? extends TType> outType;
  final Operand<TNumber> queries;
  final Operand<TNumber> keys;
  final Operand<TInt64> words;
  final Operand<TBool> valid;

  private CacheInputs(Ops tf, boolean sequences, Class<? extends TType> outType,
      Operand<TNumber> queries, Operand<TNumber> keys, Operand<TInt64> words,
      Operand<TBool> valid) {
    this.tf = tf;
    this.sequences = sequences;
    this.outType = outType;
    this.queries = queries;
    this.keys = keys;
    this.words = words;
    this.valid = valid;
  }

  /**
   * Validates the memory part of a cache op (nothing is built); see {@link NeuralCache} for the
   * shapes.
   */
  static void check(Operand<?> queries, Operand<?> keys, Operand<?> memoryWords, Operand<?> valid) {
    checkKeys(queries, keys);
    Shape q = queries.shape();
    long n = q.get(0);
    long l = keys.shape().get(1);
    Checks.integer("memoryWords", memoryWords);
    shape("memoryWords", memoryWords, "[N, L]", n, l);
    bool("valid", valid);
    if (q.numDimensions() == 2) {
      shape("valid", valid, "[N, L] for queries [N, d]", n, l);
    } else {
      shape("valid", valid, "[N, T, L] for queries [N, T, d]", n, q.get(1), l);
    }
  }

  /** Validates queries [N, d] or [N, T, d] and keys [N, L, d] with L &gt;= 1. */
  static void checkKeys(Operand<?> queries, Operand<?> keys) {
    Checks.floating("queries", queries);
    int rank = queries.shape().numDimensions();
    if (rank != 2 && rank != 3) {
      throw new IllegalArgumentException(
          "queries must have rank 2 ([N, d]) or 3 ([N, T, d]), got shape " + queries.shape());
    }
    Checks.sameType("keys", keys, "queries", queries);
    Shape q = queries.shape();
    shape("keys", keys, "[N, L, d]", q.get(0), -1, q.get(rank - 1));
    if (keys.shape().get(1) == 0) {
      throw new IllegalArgumentException(
          "keys must hold L >= 1 memories ([N, L, d]), got shape " + keys.shape());
    }
  }

  /** Validates targets: integer, shaped like the queries without their last axis. */
  static void checkTargets(String name, Operand<?> targets, Operand<?> queries) {
    Checks.integer(name, targets);
    Shape q = queries.shape();
    if (q.numDimensions() == 3) {
      shape(name, targets, "[N, T] for queries [N, T, d]", q.get(0), q.get(1));
    } else {
      shape(name, targets, "[N] for queries [N, d]", q.get(0));
    }
  }

  /**
   * Validates a head's log-probabilities: [N, V] for queries [N, d], [N, T, V] for [N, T, d]
   * (or, without V, the head's log-probabilities of the targets).
   */
  static void checkHead(String name, Operand<?> logP, Operand<?> queries, boolean perWord) {
    Checks.sameType(name, logP, "queries", queries);
    Shape q = queries.shape();
    long n = q.get(0);
    if (q.numDimensions() == 3) {
      if (perWord) {
        shape(name, logP, "[N, T, V] for queries [N, T, d]", n, q.get(1), -1);
      } else {
        shape(name, logP, "[N, T] for queries [N, T, d]", n, q.get(1));
      }
    } else if (perWord) {
      shape(name, logP, "[N, V] for queries [N, d]", n, -1);
    } else {
      shape(name, logP, "[N] for queries [N, d]", n);
    }
    if (perWord && logP.shape().get(logP.shape().numDimensions() - 1) == 0) {
      throw new IllegalArgumentException(
          name + " must hold V >= 1 words on its last axis, got shape " + logP.shape());
    }
  }

  /** The inputs laid out as [N, T, ..]; call {@link #check} first. */
  @SuppressWarnings("unchecked")
  static CacheInputs of(
      Ops tf, Operand<?> queries, Operand<?> keys, Operand<?> memoryWords, Operand<?> valid) {
    boolean sequences = queries.shape().numDimensions() == 3;
    Operand<TNumber> q3 = compute(tf, queries);
    Operand<TBool> v3 = (Operand<TBool>) valid;
    if (!sequences) {
      q3 = tf.expandDims(q3, tf.constant(1));
      v3 = tf.expandDims(v3, tf.constant(1));
    }
    Operand<TInt64> w = tf.expandDims(tf.dtypes.cast(memoryWords, TInt64.class), tf.constant(1));
    return new CacheInputs(tf, sequences, queries.type(), q3, compute(tf, keys), w, v3);
  }

  /** [N, T, L] scores theta q.k, -inf where the memory is not valid for the query. */
  Operand<TNumber> scores(Operand<TNumber> theta) {
    Operand<TNumber> dots = dots(tf, queries, keys);
    return tf.select(valid, tf.math.mul(theta, dots), LogSpace.minusInf(tf, dots));
  }

  /** q.k for queries [N, T, d] and keys [N, L, d]: [N, T, L] (one batched matmul). */
  static Operand<TNumber> dots(Ops tf, Operand<TNumber> queries, Operand<TNumber> keys) {
    return tf.train.batchMatMul(queries, keys, queries.type(), BatchMatMul.adjY(true));
  }

  /** [N, T, 1] int64: the flat index n·T + t of each query. */
  Operand<TInt64> rowIndex() {
    Operand<TInt64> shape = tf.shape(valid, TInt64.class);
    Operand<TInt64> nt = tf.stridedSlice(shape, Indices.slice(0, 2));
    Operand<TInt64> rows = tf.reduceProd(nt, tf.constant(0));
    return tf.reshape(tf.range(tf.constant(0L), rows, tf.constant(1L)),
        tf.concat(List.of(nt, tf.constant(new long[] {1})), tf.constant(0)));
  }

  /** [N, T, size] as an int64 vector. */
  Operand<TInt64> shapeOver(Operand<TInt64> size) {
    Operand<TInt64> nt = tf.stridedSlice(tf.shape(valid, TInt64.class), Indices.slice(0, 2));
    return tf.concat(List.of(nt, tf.reshape(size, tf.constant(new long[] {1}))), tf.constant(0));
  }

  /** [N, T]: whether the query has at least one valid memory. */
  Operand<TBool> anyValid() {
    return tf.reduceAny(valid, tf.constant(-1));
  }

  /** Targets (checked by {@link #checkTargets}) as [N, T] int64. */
  Operand<TInt64> targets(Operand<?> targets) {
    Operand<TInt64> y = tf.dtypes.cast(targets, TInt64.class);
    return sequences ? y : tf.expandDims(y, tf.constant(1));
  }

  /** A head's log-probabilities (checked by {@link #checkHead}) as [N, T, ..], compute dtype. */
  Operand<TNumber> head(Operand<?> logP) {
    Operand<TNumber> h = compute(tf, logP);
    return sequences ? h : tf.expandDims(h, tf.constant(1));
  }

  /**
   * Fails the run unless the word of every memory that is valid for some query is in [0, size).
   */
  Operand<TInt64> checkedWords(Operand<TInt64> size) {
    Operand<TBool> used = tf.reduceAny(valid, tf.constant(1), ReduceAny.keepDims(true));
    Operand<TBool> inRange = tf.math.logicalAnd(
        tf.math.greaterEqual(words, tf.zerosLike(words)), tf.math.less(words, size));
    Operand<TBool> ok = tf.math.logicalOr(tf.math.logicalNot(used), inRange);
    AssertThat check = tf.assertThat(
        tf.reduceAll(ok, tf.constant(new int[] {0, 1, 2})),
        List.of(tf.constant("memoryWords must be in [0, V) for every memory that is valid for some"
            + " query; V:"), size, tf.constant("memoryWords:"), words),
        AssertThat.summarize(20L));
    return tf.withControlDependencies(List.of(check)).identity(words);
  }

  /** A result [N, T, ..] in the caller's layout (T dropped for queries [N, d]) and dtype. */
  <T extends TType> Operand<T> restore(Operand<?> x) {
    return castTo(tf, sequences ? x : tf.squeeze(x, Squeeze.axis(List.of(1L))), outType);
  }

  /** x cast to {@code type} where its dtype differs (the compute dtype back to half precision). */
  @SuppressWarnings("unchecked")
  static <T extends TType> Operand<T> castTo(Ops tf, Operand<?> x, Class<? extends TType> type) {
    return (Operand<T>) (x.type() == type ? x : tf.dtypes.cast(x, type));
  }

  /** A scalar parameter (lambda, theta) given as a tensor: same dtype as queries, rank 0. */
  static void scalarParameter(String name, Operand<?> p, Operand<?> queries) {
    Checks.sameType(name, p, "queries", queries);
    if (p.shape().numDimensions() > 0) {
      throw new IllegalArgumentException(name + " must be a scalar, got shape " + p.shape());
    }
  }

  /** lambda in the compute dtype, with a run-time check that it lies in [0, 1]. */
  static Operand<TNumber> lambda(Ops tf, Operand<?> lambda) {
    Operand<TNumber> l = compute(tf, lambda);
    Operand<TBool> ok = tf.math.logicalAnd(
        tf.math.greaterEqual(l, Rows.scalar(tf, 0.0, l)), tf.math.lessEqual(l, Rows.scalar(tf, 1.0, l)));
    return checked(tf, ok, "lambda must be in [0, 1]; got", l);
  }

  /** theta in the compute dtype, with a run-time check that it is finite and &gt; 0. */
  static Operand<TNumber> theta(Ops tf, Operand<?> theta) {
    Operand<TNumber> t = compute(tf, theta);
    Operand<TBool> ok =
        tf.math.logicalAnd(tf.math.isFinite(t), tf.math.greater(t, Rows.scalar(tf, 0.0, t)));
    return checked(tf, ok, "theta must be finite and > 0; got", t);
  }

  private static Operand<TNumber> checked(
      Ops tf, Operand<TBool> ok, String message, Operand<TNumber> value) {
    AssertThat check = tf.assertThat(ok, List.of(tf.constant(message), value));
    return tf.withControlDependencies(List.of(check)).identity(value);
  }

  static void lambda(double lambda) {
    if (!(lambda >= 0 && lambda <= 1)) {
      throw new IllegalArgumentException("lambda must be in [0, 1], got " + lambda);
    }
  }

  static void theta(double theta) {
    Checks.positive("theta", theta);
  }

  /**
   * x in the compute dtype: float32 for float16/bfloat16, else unchanged; a variable's reference
   * output is read once through an Identity (a VariableV2 feeding several ops on a gradient path
   * crashes TensorFlow's gradient builder).
   */
  @SuppressWarnings("unchecked")
  static Operand<TNumber> compute(Ops tf, Operand<?> x) {
    Class<? extends TNumber> type = computeType(x);
    if (type != x.type()) {
      return (Operand<TNumber>) tf.dtypes.cast(x, type);
    }
    boolean reference = x.asOutput().dataType().getNumber() > 100;
    return reference ? (Operand<TNumber>) tf.identity(x) : (Operand<TNumber>) x;
  }

  /** The compute dtype of x: float32 for float16/bfloat16, else x's. */
  @SuppressWarnings("unchecked")
  static Class<? extends TNumber> computeType(Operand<?> x) {
    if (x.type() == TFloat16.class || x.type() == TBfloat16.class) {
      return TFloat32.class;
    }
    return (Class<? extends TNumber>) x.type();
  }

  static void bool(String name, Operand<?> x) {
    if (x.type() != TBool.class) {
      throw new IllegalArgumentException(
          name + " must be a bool tensor, got " + x.asOutput().dataType());
    }
  }

  /**
   * Fails unless x has rank dims.length and each size of dims that is known (&gt;= 0) where x's is
   * known too.
   */
  static void shape(String name, Operand<?> x, String layout, long... dims) {
    Shape s = x.shape();
    boolean ok = s.numDimensions() == dims.length;
    for (int i = 0; ok && i < dims.length; i++) {
      ok = dims[i] < 0 || s.get(i) < 0 || s.get(i) == dims[i];
    }
    if (!ok) {
      StringBuilder expected = new StringBuilder("[");
      for (int i = 0; i < dims.length; i++) {
        expected.append(i > 0 ? ", " : "").append(dims[i] < 0 ? "?" : Long.toString(dims[i]));
      }
      throw new IllegalArgumentException(
          name + " must have shape " + layout + " = " + expected + "], got " + s);
    }
  }
}
