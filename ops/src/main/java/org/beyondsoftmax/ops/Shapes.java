package org.beyondsoftmax.ops;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Shapes and empty vectors as graph values that never need an empty host tensor.
 *
 * <p>TF-Java builds every constant from a host tensor. Once a session has run with TensorFlow's
 * pooling CPU allocator ({@code TF_CPU_ALLOCATOR_USE_BFC=true}, as {@code ./beyond} and the tests
 * run), a zero-byte host tensor gets no memory and TF-Java fails with a NullPointerException
 * ({@code TF_TensorData} is null): {@code tf.constant(Shape.scalar())} or {@code tf.constant(new
 * int[0])} then break graph building. Here such values are made in the graph, by {@code Fill}
 * with length 0.
 */
public final class Shapes {
  private Shapes() {}

  /** {@code shape} as an int64 vector (the form Fill, Zeros and the random ops take). */
  public static Operand<TInt64> of(Ops tf, Shape shape) {
    return shape.numDimensions() == 0 ? tf.fill(tf.constant(new int[] {0}), tf.constant(0L)) : tf.constant(shape);
  }

  /** The empty int32 vector {@code []}. */
  public static Operand<TInt32> emptyInt32(Ops tf) {
    return tf.fill(tf.constant(new int[] {0}), tf.constant(0));
  }
}
