package org.beyondsoftmax.examples;

import java.util.Arrays;
import org.beyondsoftmax.framework.activations.Sparsemax;
import org.beyondsoftmax.framework.losses.SparsemaxLoss;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.framework.losses.Loss;
import org.tensorflow.framework.optimizers.GradientDescent;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** A linear classifier trained with the sparsemax loss; its sparsemax probabilities have exact zeros. */
public final class QuickStart {
  public static void main(String[] args) {
    float[][] features = {{2, 0}, {0, 2}, {-2, 0}, {0, -2}}; // one example of each of 4 classes
    int[] labels = {0, 1, 2, 3};
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Variable<TFloat32> weights = tf.variable(tf.withInitScope().constant(new float[2][4]));

      Loss loss = new SparsemaxLoss();                 // logits and class ids, mean over the batch
      Operand<TFloat32> l = loss.call(tf, tf.constant(labels), tf.linalg.matMul(tf.constant(features), weights), null);
      Op step = new GradientDescent(graph, 0.5f).minimize(l);

      float[][] queries = {{3, 0}, {1, 1}};             // deep in class 0; between classes 0 and 1
      Operand<TFloat32> p = new Sparsemax().call(tf, tf.linalg.matMul(tf.constant(queries), weights));

      session.initialize();
      for (int i = 0; i < 30; i++) {
        session.run(step);
      }
      try (Result r = session.runner().fetch(p).run()) {
        for (float[] row : StdArrays.array2dCopyOf((TFloat32) r.get(0))) {
          System.out.println(Arrays.toString(row));    // [1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0]
        }
      }
    }
  }
}
