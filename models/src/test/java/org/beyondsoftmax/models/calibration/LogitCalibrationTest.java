package org.beyondsoftmax.models.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * {@link LogitCalibration#fit} after another session has run: from then on TensorFlow's CPU
 * allocator is the pooling (BFC) one when {@code TF_CPU_ALLOCATOR_USE_BFC=true} (as in
 * {@code ./beyond} and the tests), which gives zero-byte host tensors no memory, so TF-Java fails on
 * any empty constant ({@code tf.constant(Shape.scalar())}). {@code beyond calibrate} hit this. Run
 * alone it fails without {@code Shapes}; after other tests it may not ({@code ShapesTest} pins it).
 */
class LogitCalibrationTest {
  @Test
  void fitsAfterASessionHasRunWithTheBfcAllocator() {
    System.out.println("LogitCalibrationTest: TF_CPU_ALLOCATOR_USE_BFC=" + System.getenv("TF_CPU_ALLOCATOR_USE_BFC"));
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      try (var r = s.runner().fetch(tf.math.add(tf.constant(1f), tf.constant(2f))).run()) {
        assertEquals(3f, ((TFloat32) r.get(0)).getFloat());
      }
    }
    int n = 200;
    int m = 5;
    SplittableRandom r = new SplittableRandom(3);
    float[] z = new float[n * m];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        z[i * m + j] = (float) (4 * r.nextGaussian()); // over-confident: 4 times the noise
      }
      y[i] = r.nextInt(m);
    }
    for (LogitCalibration.Kind kind : LogitCalibration.Kind.values()) {
      LogitCalibration.Fitted f = CalibrationFit.fit(z, n, m, y, kind, 20, 50, 0.05);
      assertTrue(f.nllAfter() < f.nllBefore() - 0.5, kind + ": " + f.nllBefore() + " -> " + f.nllAfter());
    }
  }
}
