package org.beyondsoftmax.testing;

import java.util.Iterator;
import java.util.List;

/**
 * The one-process reference of a step of synchronous SGD on a cluster, in float32 as the cluster
 * computes it: the workers' gradients summed in worker order, then each value minus
 * lr * (sum / workers).
 */
public final class SyncSgd {
  private SyncSgd() {}

  /**
   * Updates {@code values} in place.
   *
   * @param values the variables' values, in the order of each worker's gradients
   * @param workerGradients per worker, the gradient of each variable (summed into the first's arrays)
   */
  public static void step(Iterable<float[]> values, List<List<float[]>> workerGradients, float learningRate) {
    List<float[]> sum = workerGradients.get(0);
    for (List<float[]> grads : workerGradients.subList(1, workerGradients.size())) {
      for (int i = 0; i < sum.size(); i++) {
        for (int j = 0; j < sum.get(i).length; j++) {
          sum.get(i)[j] += grads.get(i)[j];
        }
      }
    }
    int workers = workerGradients.size();
    Iterator<float[]> g = sum.iterator();
    for (float[] v : values) {
      float[] s = g.next();
      for (int j = 0; j < v.length; j++) {
        v[j] = v[j] - learningRate * (s[j] / workers);
      }
    }
  }
}
