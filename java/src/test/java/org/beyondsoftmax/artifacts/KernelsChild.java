package org.beyondsoftmax.artifacts;

import java.util.Arrays;
import java.util.TreeSet;
import org.beyondsoftmax.ops.Kernels;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The other process of {@link ArtifactsTest}: builds and runs sparsemax of [3, 1, -2] (= [1, 0, 0])
 * on whatever class path it was given and prints whether the fused kernels were loaded and used.
 */
public final class KernelsChild {
  private KernelsChild() {}

  public static void main(String[] args) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> p = Mappings.sparsemax(tf, tf.constant(new float[][] {{3f, 1f, -2f}}));
      TreeSet<String> fused = new TreeSet<>();
      g.operations().forEachRemaining(o -> {
        if (o.type().startsWith("Beyond")) {
          fused.add(o.type());
        }
      });
      float[] values = new float[3];
      try (var result = s.runner().fetch(p).run()) {
        ((TFloat32) result.get(0)).copyTo(DataBuffers.of(values, false, false));
      }
      System.out.println("loaded " + Kernels.nativeLoaded());
      System.out.println("status " + Kernels.status());
      System.out.println("fused " + fused);
      System.out.println("p " + Arrays.toString(values));
    }
  }
}
