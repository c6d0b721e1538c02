package org.beyondsoftmax.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * Tsallis alpha-entropies over the last axis (result [.., 1]), the regularisers of the entmax
 * family (Blondel, Martins &amp; Niculae 2020): H_alpha(p) = (1 - sum p^alpha) / (alpha (alpha -
 * 1)); alpha = 1 is Shannon's -sum p log p (0 log 0 = 0). The Fenchel-Young loss of a mapping with
 * entropy H is L(z; q) = &lt;p, z&gt; + H(p) - &lt;q, z&gt; - H(q), p the mapping of z.
 */
public final class Entropies {
  private Entropies() {}

  /** alpha = 2: (1 - sum p^2)/2. */
  public static <T extends TNumber> Operand<T> gini(Ops tf, Operand<T> p) {
    Operand<T> one = Rows.scalar(tf, 1.0, p);
    return tf.math.mul(
        tf.math.sub(one, Rows.sumLast(tf, tf.math.square(p))), Rows.scalar(tf, 0.5, p));
  }

  /** alpha = 1.5: (1 - sum p^1.5)/0.75. */
  public static <T extends TNumber> Operand<T> tsallis15(Ops tf, Operand<T> p) {
    Operand<T> one = Rows.scalar(tf, 1.0, p);
    Operand<T> s = Rows.sumLast(tf, tf.math.mul(p, tf.math.sqrt(p)));
    return tf.math.div(tf.math.sub(one, s), Rows.scalar(tf, 0.75, p));
  }

  /** alpha per row ([.., 1]) or a scalar, &gt;= 1; Shannon where alpha = 1. */
  public static <T extends TNumber> Operand<T> tsallis(Ops tf, Operand<T> p, Operand<T> alpha) {
    Operand<T> one = Rows.scalar(tf, 1.0, p);
    Operand<TBool> shannon = tf.math.equal(alpha, one);
    Operand<T> a = tf.select(shannon, Rows.scalar(tf, 2.0, p), alpha);
    // zero entries drop out: keeps 0^alpha (and its alpha-gradient 0 log 0) out of the graph
    Operand<TBool> on = tf.math.greater(p, tf.zerosLike(p));
    Operand<T> safe = tf.select(on, p, Rows.scalar(tf, 1.0, p)); // OnesLike has no gradient
    Operand<T> ts =
        tf.math.div(
            tf.math.sub(one, Rows.sumLast(tf, Rows.where0(tf, on, Rows.pow(tf, safe, a)))),
            tf.math.mul(a, tf.math.sub(a, one)));
    Operand<T> sh = tf.math.neg(Rows.sumLast(tf, Rows.where0(tf, on, tf.math.mul(p, tf.math.log(safe)))));
    return tf.select(shannon, sh, ts);
  }
}
