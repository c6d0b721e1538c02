package org.beyondsoftmax.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * Taylor softmax (de Brébisson &amp; Vincent 2016; Banerjee et al. 2020) on the last axis:
 * p_i = f(x_i) / sum_j f(x_j) with f(x) = sum_{i=0..n} x^i / i!, n even (so f &gt; 0). Not shift
 * invariant. -inf entries are dropped (f would be +inf there).
 */
final class TaylorSoftmax {
  private TaylorSoftmax() {}

  /** f(x) by Horner's rule: 1 + x(1 + x/2(1 + x/3(... (1 + x/n)))), with f = 0 at -inf. */
  static <T extends TNumber> Operand<T> series(Ops tf, Operand<T> x, int order) {
    Operand<TBool> masked = tf.math.equal(x, Rows.scalar(tf, Double.NEGATIVE_INFINITY, x));
    Operand<T> safe = tf.select(masked, tf.zerosLike(x), x);
    Operand<T> one = Rows.scalar(tf, 1.0, x);
    Operand<T> f = one;
    for (int i = order; i >= 1; i--) {
      f = tf.math.add(one, tf.math.mul(tf.math.div(safe, Rows.scalar(tf, i, x)), f));
    }
    return tf.select(masked, tf.zerosLike(x), f);
  }

  static <T extends TNumber> Operand<T> lastAxis(Ops tf, Operand<T> x, int order) {
    Operand<T> f = series(tf, x, order);
    return tf.math.mul(f, tf.math.reciprocal(Rows.nonZero(tf, Rows.sumLast(tf, f))));
  }

  /** log p, via log f(x) - log sum f; -inf at masked entries and in rows that are all -inf. */
  static <T extends TNumber> Operand<T> logLastAxis(Ops tf, Operand<T> x, int order) {
    Operand<T> f = series(tf, x, order);
    Operand<TBool> masked = tf.math.equal(f, tf.zerosLike(f));
    Operand<T> logF = tf.math.log(tf.select(masked, Rows.scalar(tf, 1.0, f), f));
    logF = tf.select(masked, Rows.scalar(tf, Double.NEGATIVE_INFINITY, f), logF);
    return tf.math.sub(logF, tf.math.log(Rows.nonZero(tf, Rows.sumLast(tf, f))));
  }
}
