package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssertThat;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * Integer labels flattened to one per row of [R, M] logits: the safe label (ignored ones replaced
 * by 0), which rows count, and the [R, 2] (row, label) indices used to pick and scatter. A label
 * outside [0, M) that is not the ignored value fails the run with a TensorFlow error naming it.
 */
final class Labels<L extends TNumber> {
  final Operand<L> safe; // [R]
  final Operand<TBool> counted; // [R]: not ignored
  final Operand<L> indices; // [R, 2]
  
  private Labels(Operand<L> safe, Operand<TBool> counted, Operand<L> indices) {
    this.safe = safe;
    this.counted = counted;
    this.indices = indices;
  }

  @SuppressWarnings("unchecked")
  static Labels<TNumber> of(
      Ops tf, Operand<? extends TType> labels, Operand<TInt32> classes, Optional<Long> ignore) {
    Checks.integer("labels", labels);
    Operand<TNumber> flat =
        tf.reshape((Operand<TNumber>) labels, tf.constant(new int[] {-1}));
    Operand<TBool> counted;
    if (ignore.isPresent()) {
      counted = tf.math.notEqual(flat, tf.dtypes.cast(tf.constant(ignore.get()), flat.type()));
    } else {
      counted = tf.onesLike(tf.dtypes.cast(flat, TBool.class));
    }
    Operand<TNumber> m = tf.dtypes.cast(classes, flat.type());
    Operand<TBool> inRange =
        tf.math.logicalAnd(
            tf.math.greaterEqual(flat, tf.zerosLike(flat)), tf.math.less(flat, m));
    Operand<TBool> ok = tf.math.logicalOr(inRange, tf.math.logicalNot(counted));
    AssertThat check =
        tf.assertThat(
            tf.reduceAll(ok, tf.constant(0)),
            List.of(
                tf.constant("labels must be in [0, number of classes) or the ignored label;"
                    + " number of classes:"),
                classes,
                tf.constant("labels:"),
                flat),
            AssertThat.summarize(20L));
    Operand<TNumber> safe =
        tf.withControlDependencies(List.of(check))
            .select(counted, flat, tf.zerosLike(flat));
    Operand<TInt32> count = tf.stridedSlice(tf.shape(flat), Indices.at(0));
    Operand<TNumber> rows =
        tf.dtypes.cast(tf.range(tf.constant(0), count, tf.constant(1)), flat.type());
    Operand<TNumber> indices = tf.stack(List.of(rows, safe), org.tensorflow.op.core.Stack.axis(1L));
    return new Labels<>(safe, counted, indices);
  }

  /** x[r, label_r] for [R, M] x. */
  <T extends TType> Operand<T> pick(Ops tf, Operand<T> x) {
    return tf.gatherNd(x, indices);
  }
}
