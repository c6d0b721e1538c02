package org.beyondsoftmax.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** SavedModels built here as stand-ins for ones made elsewhere (no model.json, no code of ours). */
public final class ForeignModels {
  public static final int D = 4;
  public static final int M = 5;

  private ForeignModels() {}

  /** W [4, 5], seeded uniform on [-1, 1), row-major. */
  public static float[] weights() {
    SplittableRandom r = new SplittableRandom(1);
    float[] w = new float[D * M];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return w;
  }

  /**
   * An over-confident linear classifier: signature {@code classify} (features [N, 4] -&gt; scores
   * [N, 5] = 4 x W, W a variable) and {@code serving_default} (features -&gt; probs = softmax).
   */
  public static void linearClassifier(Path dir) throws IOException {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.withName("features").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, D)));
      var w = tf.withName("w").variable(tf.withInitScope().constant(Shape.of(D, M), DataBuffers.of(weights(), true, false)));
      var scores = tf.withName("scores").math.mul(tf.linalg.matMul(x, w), tf.constant(4f));
      var probs = tf.withName("probs").nn.softmax(scores);
      try (Session s = new Session(g)) {
        s.initialize();
        SavedModelBundle.exporter(dir.toString()).withSession(s)
            .withSignature(Signature.builder("classify").input("features", x).output("scores", scores).build())
            .withSignature(Signature.builder("serving_default").input("features", x).output("probs", probs).build())
            .export();
      }
    }
  }
}
