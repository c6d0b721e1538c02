package org.beyondsoftmax.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.beyondsoftmax.ops.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * {@link Shapes} after a session has run with TensorFlow's pooling CPU allocator
 * ({@code TF_CPU_ALLOCATOR_USE_BFC=true}, as {@code ./beyond} runs). In a fresh JVM, where the
 * first session sets the allocator up, {@code tf.constant(Shape.scalar())} then fails; after other
 * tests it may not, so the case runs in a JVM of its own ({@link #main}).
 */
class ShapesTest {
  @Test
  void scalarShapesAndEmptyVectorsBuildAfterASessionHasRun() throws Exception {
    ProcessBuilder b = ChildJvm.of(ShapesTest.class.getName());
    b.environment().put("TF_CPU_ALLOCATOR_USE_BFC", "true");
    Process p = b.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(2, TimeUnit.MINUTES));
    System.out.println("ShapesTest (child JVM):\n" + out.lines()
        .filter(l -> l.startsWith("plain") || l.startsWith("Shapes")).reduce("", (x, y) -> x + y + "\n"));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("plain tf.constant(Shape.scalar()): NullPointerException"),
        "the TF-Java failure Shapes exists for (if it is gone, Shapes may go too):\n" + out);
    assertTrue(out.contains("Shapes: ok"), out);
  }

  /** The case, in a fresh JVM: a session runs, then a graph needs a scalar shape and [] . */
  public static void main(String[] args) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      try (var r = s.runner().fetch(tf.math.add(tf.constant(1f), tf.constant(2f))).run()) {
        assertEquals(3f, ((TFloat32) r.get(0)).getFloat());
      }
    }
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      try {
        tf.constant(Shape.scalar());
        System.out.println("plain tf.constant(Shape.scalar()): built");
      } catch (NullPointerException e) {
        System.out.println("plain tf.constant(Shape.scalar()): NullPointerException");
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
    System.out.println("Shapes: ok");
  }
}
