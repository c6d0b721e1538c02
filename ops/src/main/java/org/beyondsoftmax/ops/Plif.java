package org.beyondsoftmax.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * The LMS-PLIF function (Ganea et al. 2019, "Breaking the Softmax Bottleneck via Learnable
 * Monotonic Pointwise Non-linearities"), elementwise: K intervals of width delta = 2T/K on [-T, T],
 * slopes s = softplus(v), i = clamp(floor((x + T)/delta), 0, K-1),
 * f(x) = s_i (x + T - i delta) + delta sum_{j&lt;i} s_j; linear beyond +-T.
 *
 * <p>Computed as f = s_i (x + T) + c_i with the per-knot table c_i = delta sum_{j&lt;i} s_j - i
 * delta s_i: one lookup of the two tables, and -inf stays -inf. Gradient (custom): df/dx = s_i (reused from the
 * forward pass); df/dv_j = sigmoid(v_j) [sum_{x: i=j} g (x + T - j delta) + delta sum_{x: i&gt;j}
 * g], accumulated per knot with two weighted Bincounts and a reverse cumsum, so memory is
 * O(K + size of x), never K x batch.
 */
final class Plif {
  static final String RULE = "plif";

  static {
    CustomGradients.define(RULE, Plif::plifGradient);
  }

  /** The gradients of the rule {@link #RULE}; inputs [f, x, v, interval index i, slope s_i]. */
  private static List<Operand<?>> plifGradient(Ops tf, GraphOperation node, List<Output<?>> up) {
    Operand<TNumber> x = CustomGradients.input(node, 1);
    Operand<TNumber> v = CustomGradients.input(node, 2);
    Operand<TInt32> index = CustomGradients.input(node, 3);
    Operand<TNumber> slope = CustomGradients.input(node, 4);
    Operand<TNumber> g = CustomGradients.upstream(up, 0);
    double range = CustomGradients.doubleAttr(node, "range");
    Operand<TNumber> dx = tf.math.mul(g, slope);
    return List.of(
        CustomGradients.passThrough(node, 0), dx, slopeGradient(tf, x, v, index, g, range),
        CustomGradients.passThrough(node, 3), CustomGradients.passThrough(node, 4));
  }

  private Plif() {}

  static <T extends TNumber> Operand<T> apply(Ops tf, Operand<T> x, Operand<T> v, double range) {
    Optional<NativeKernels> fused = Kernels.forScope(tf);
    if (fused.isPresent()) {
      return fused.get().plif(tf, x, v, range);
    }
    Parts<T> p = parts(tf, tf.stopGradient(x), tf.stopGradient(v), range);
    return CustomGradients.apply(
        tf, RULE, p.value(), List.of(x, v, tf.stopGradient(p.index()), tf.stopGradient(p.slope())),
        Map.of("range", range));
  }

  /** f(x), and per entry of x its interval i and slope s_i (what the gradients need). */
  record Parts<T extends TNumber>(Operand<T> value, Operand<TInt32> index, Operand<T> slope) {}

  /** The composite forward pass over x and raw slopes v that take no gradient (behind StopGradient). */
  static <T extends TNumber> Parts<T> parts(Ops tf, Operand<T> xs, Operand<T> vs, double range) {
    Operand<T> k = tf.dtypes.cast(knots(tf, vs), xs.type());
    Operand<T> t = Rows.scalar(tf, range, xs);
    Operand<T> delta = tf.math.div(tf.math.add(t, t), k);
    Operand<T> shifted = tf.math.add(xs, t);
    // clipping in floating point also sends -inf/+inf to the first/last interval
    Operand<TInt32> index =
        tf.dtypes.cast(
            tf.clipByValue(
                tf.math.floor(tf.math.div(shifted, delta)),
                Rows.scalar(tf, 0.0, xs),
                tf.math.sub(k, Rows.scalar(tf, 1.0, xs))),
            TInt32.class);
    Operand<T> s = tf.math.softplus(vs);
    Operand<T> start = tf.math.mul(delta, tf.dtypes.cast(tf.range(tf.constant(0), knots(tf, vs), tf.constant(1)), xs.type()));
    Operand<T> offset =
        tf.math.sub(
            tf.math.mul(delta, tf.math.cumsum(s, tf.constant(0), Cumsum.exclusive(true))),
            tf.math.mul(start, s));
    List<Operand<T>> looked = lookUp(tf, s, offset, index);
    Operand<T> slope = looked.get(0);
    return new Parts<>(tf.math.add(tf.math.mul(slope, shifted), looked.get(1)), index, slope);
  }

  /**
   * (a_i, b_i) for the tables a, b at the indices i. In float32 the two tables are packed into
   * one int64 table so that one gather (the dominant cost: random access over |x| entries)
   * serves both.
   */
  private static <T extends TNumber> List<Operand<T>> lookUp(
      Ops tf, Operand<T> a, Operand<T> b, Operand<TInt32> index) {
    if (a.type() != TFloat32.class) {
      return List.of(tf.gather(a, index, tf.constant(0)), tf.gather(b, index, tf.constant(0)));
    }
    Operand<TInt64> packed = tf.bitcast(tf.stack(List.of(a, b), Stack.axis(-1L)), TInt64.class);
    Operand<T> pairs = tf.bitcast(tf.gather(packed, index, tf.constant(0)), a.type());
    List<Operand<T>> out = new ArrayList<>();
    tf.unstack(pairs, 2L, Unstack.axis(-1L)).forEach(out::add);
    return out;
  }

  private static Operand<TInt32> knots(Ops tf, Operand<?> v) {
    return tf.stridedSlice(tf.shape(v), Indices.at(0));
  }

  /**
   * df/dv for the upstream gradient g of f(x): per knot, sigmoid(v_j) times the sum over the
   * entries of x in interval j of g (x + T - j delta), plus delta times the sum of g above it.
   */
  static <T extends TNumber> Operand<T> slopeGradient(
      Ops tf, Operand<T> x, Operand<T> v, Operand<TInt32> index, Operand<T> g, double range) {
    Operand<TInt32> count = knots(tf, v);
    Operand<T> k = tf.dtypes.cast(count, x.type());
    Operand<T> t = Rows.scalar(tf, range, x);
    Operand<T> delta = tf.math.div(tf.math.add(t, t), k);
    Operand<TInt32> flatIndex = tf.reshape(index, tf.constant(new int[] {-1}));
    // sum over x in interval j of g (x + T), then minus j delta times sum of g there
    Operand<T> shifted = Rows.where0(tf, tf.math.isFinite(x), tf.math.add(x, t));
    Operand<T> weighted =
        tf.math.bincount(flatIndex, count, tf.reshape(tf.math.mul(g, shifted), tf.constant(new int[] {-1})));
    Operand<T> perKnot =
        tf.math.bincount(flatIndex, count, tf.reshape(g, tf.constant(new int[] {-1})));
    Operand<T> start = tf.math.mul(delta, tf.dtypes.cast(tf.range(tf.constant(0), count, tf.constant(1)), x.type()));
    Operand<T> own = tf.math.sub(weighted, tf.math.mul(start, perKnot));
    Operand<T> above =
        tf.math.cumsum(perKnot, tf.constant(0), Cumsum.exclusive(true), Cumsum.reverse(true));
    Operand<T> ds = tf.math.add(own, tf.math.mul(delta, above));
    return tf.math.mul(ds, tf.math.sigmoid(v));
  }
}
