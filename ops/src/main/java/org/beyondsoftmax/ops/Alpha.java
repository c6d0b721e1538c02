package org.beyondsoftmax.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssertThat;
import org.tensorflow.types.family.TNumber;

/** The alpha of alpha-entmax, validated and laid out per row ([.., 1] with the class axis last). */
final class Alpha {
  private Alpha() {}

  static <T extends TNumber> Operand<T> rows(Ops tf, Operand<T> alpha, Operand<?> x, ClassAxis ax) {
    Checks.floating("alpha", alpha);
    Checks.sameType("alpha", alpha, "x", x);
    int ra = alpha.shape().numDimensions();
    int rx = x.shape().numDimensions();
    Operand<T> a;
    if (ra == 0) {
      a = ax.compute(alpha);
    } else if (rx >= 0 && ra == rx - 1) {
      Checks.labelShape("alpha", alpha, x, ax.axis());
      a = tf.expandDims(ax.toLast(alpha), tf.constant(-1));
    } else if (rx >= 0 && ra == rx && alpha.shape().get(ax.axis()) == 1) {
      a = ax.toLast(alpha);
    } else {
      throw new IllegalArgumentException(
          "alpha must be a scalar or hold one value per row (shape of x without the class axis, or"
              + " with size 1 there), got shape " + alpha.shape() + " for x " + x.shape());
    }
    return atLeastOne(tf, a);
  }

  /** {@code a}, after a run-time check that every entry is &gt;= 1. */
  static <T extends TNumber> Operand<T> atLeastOne(Ops tf, Operand<T> a) {
    AssertThat check =
        tf.assertThat(
            tf.reduceAll(
                tf.math.greaterEqual(a, Rows.scalar(tf, 1.0, a)),
                tf.range(tf.constant(0), tf.rank(a), tf.constant(1))),
            List.of(tf.constant("alpha must be >= 1; got"), a));
    return tf.withControlDependencies(List.of(check)).identity(a);
  }
}
