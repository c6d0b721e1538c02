package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * {@link Shapes} after a session has run, when TensorFlow's pooling CPU allocator is in use (the
 * build sets {@code TF_CPU_ALLOCATOR_USE_BFC=true} for the tests, as {@code ./beyond} does).
 */
class ShapesTest {
  @Test
  void scalarShapesAndEmptyVectorsBuildAfterASessionHasRun() {
    boolean bfc = "true".equals(System.getenv("TF_CPU_ALLOCATOR_USE_BFC"));
    System.out.println("ShapesTest: TF_CPU_ALLOCATOR_USE_BFC=" + System.getenv("TF_CPU_ALLOCATOR_USE_BFC"));
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      try (var r = s.runner().fetch(tf.math.add(tf.constant(1f), tf.constant(2f))).run()) {
        assertEquals(3f, ((TFloat32) r.get(0)).getFloat());
      }
    }
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      if (bfc) {
        // what Shapes avoids: TF-Java's empty host tensor has no memory under this allocator
        assertThrows(NullPointerException.class, () -> tf.constant(Shape.scalar()));
      }
      var scalarZero = tf.zeros(Shapes.of(tf, Shape.scalar()), TFloat32.class);
      var matrixShape = Shapes.of(tf, Shape.of(2, 3));
      // fetching an empty tensor fails the same way, so fetch its shape
      var empty = tf.shape(Shapes.emptyInt32(tf));
      try (var r = s.runner().fetch(scalarZero).fetch(matrixShape).fetch(empty).run()) {
        assertEquals(Shape.scalar(), r.get(0).shape());
        assertEquals(0f, ((TFloat32) r.get(0)).getFloat());
        TInt64 m = (TInt64) r.get(1);
        assertArrayEquals(new long[] {2, 3}, new long[] {m.getLong(0), m.getLong(1)});
        assertEquals(0, ((TInt32) r.get(2)).getInt(0));
      }
    }
  }
}
