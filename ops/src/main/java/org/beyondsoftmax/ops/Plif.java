package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * The LMS-PLIF function (Ganea et al. 2019, "Breaking the Softmax Bottleneck via Learnable
 * Monotonic Pointwise Non-linearities"), elementwise: K intervals of width delta = 2T/K on [-T, T],
 * slopes s = softplus(v), i = clamp(floor((x + T)/delta), 0, K-1),
 * f(x) = s_i (x + T - i delta) + delta sum_{j&lt;i} s_j; linear beyond +-T.
 *
 * <p>Gradient (custom): df/dx = s_i; df/dv_j = sigmoid(v_j) [sum_{x: i=j} g (x + T - j delta) +
 * delta sum_{x: i&gt;j} g], accumulated per knot with two weighted Bincounts and a reverse cumsum,
 * so memory is O(K + size of x), never K x batch.
 */
final class Plif {
  static final String RULE = "plif";

  static {
    CustomGradients.define(
        RULE,
        (tf, node, up) -> {
          Operand<TNumber> x = (Operand<TNumber>) (Operand<?>) node.input(1);
          Operand<TNumber> v = (Operand<TNumber>) (Operand<?>) node.input(2);
          Operand<TNumber> g = (Operand<TNumber>) (Operand<?>) up.get(0);
          double range = CustomGradients.doubleAttr(node, "range");
          return gradients(tf, node.input(0), x, v, g, range);
        });
  }

  private Plif() {}

  /** Knot geometry shared by the forward pass and the gradient. */
  private record Knots<T extends TNumber>(
      Operand<TInt32> count, Operand<T> delta, Operand<TInt32> index, Operand<T> offset) {
    /** @param offset x + T - i delta, 0 where x is not finite */
    static <T extends TNumber> Knots<T> of(Ops tf, Operand<T> x, Operand<T> v, double range) {
      Operand<TInt32> count = tf.stridedSlice(tf.shape(v), org.tensorflow.ndarray.index.Indices.at(0));
      Operand<T> k = tf.dtypes.cast(count, x.type());
      Operand<T> t = G.scalar(tf, range, x);
      Operand<T> delta = tf.math.div(tf.math.add(t, t), k);
      Operand<T> shifted = tf.math.add(x, t);
      // clipping in floating point also sends -inf/+inf to the first/last interval
      Operand<T> pos =
          tf.clipByValue(
              tf.math.floor(tf.math.div(shifted, delta)),
              tf.zerosLike(k),
              tf.math.sub(k, G.scalar(tf, 1.0, x)));
      Operand<TBool> finite = tf.math.isFinite(x);
      Operand<TInt32> index = tf.dtypes.cast(pos, TInt32.class);
      Operand<T> offset = G.where0(tf, finite, tf.math.sub(shifted, tf.math.mul(pos, delta)));
      return new Knots<>(count, delta, index, offset);
    }
  }

  static <T extends TNumber> Operand<T> apply(Ops tf, Operand<T> x, Operand<T> v, double range) {
    Operand<T> xs = tf.stopGradient(x);
    Operand<T> vs = tf.stopGradient(v);
    Knots<T> kn = Knots.of(tf, xs, vs, range);
    Operand<T> s = tf.math.softplus(vs);
    Operand<T> base =
        tf.math.mul(kn.delta(), tf.math.cumsum(s, tf.constant(0), Cumsum.exclusive(true)));
    Operand<T> si = tf.gather(s, kn.index(), tf.constant(0));
    Operand<T> bi = tf.gather(base, kn.index(), tf.constant(0));
    // x - (-T + i delta) is +-inf at +-inf: f keeps -inf masks
    Operand<T> lin = tf.select(tf.math.isFinite(xs), kn.offset(), tf.math.add(xs, G.scalar(tf, range, xs)));
    Operand<T> f = tf.math.add(tf.math.mul(si, lin), bi);
    return CustomGradients.apply(tf, RULE, f, List.of(x, v), Map.of("range", range));
  }

  private static <T extends TNumber> List<Operand<?>> gradients(
      Ops tf, Operand<?> in0, Operand<T> x, Operand<T> v, Operand<T> g, double range) {
    Knots<T> kn = Knots.of(tf, x, v, range);
    Operand<T> s = tf.math.softplus(v);
    Operand<T> dx = tf.math.mul(g, tf.gather(s, kn.index(), tf.constant(0)));
    Operand<TInt32> flatIndex = tf.reshape(kn.index(), tf.constant(new int[] {-1}));
    Operand<T> own =
        tf.math.bincount(flatIndex, kn.count(), tf.reshape(tf.math.mul(g, kn.offset()), tf.constant(new int[] {-1})));
    Operand<T> perKnot =
        tf.math.bincount(flatIndex, kn.count(), tf.reshape(g, tf.constant(new int[] {-1})));
    Operand<T> above =
        tf.math.cumsum(perKnot, tf.constant(0), Cumsum.exclusive(true), Cumsum.reverse(true));
    Operand<T> ds = tf.math.add(own, tf.math.mul(kn.delta(), above));
    Operand<T> dv = tf.math.mul(ds, tf.math.sigmoid(v));
    return List.of(in0, dx, dv);
  }
}
