package org.beyondsoftmax.serve;

import java.util.Arrays;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * The words a next-word distribution answers with: the k most probable (ties: the lower id
 * first, as TensorFlow's TopKV2), or for a sparse head its support, most probable first, at most
 * k of it when k is given.
 *
 * @param ids word ids, most probable first
 * @param probabilities their probabilities
 * @param support the number of words with probability &gt; 0 (sparse heads; V otherwise)
 */
public record NextWords(int[] ids, float[] probabilities, int support) {
  /**
   * Selects from one row of log-probabilities.
   *
   * @param logProbabilities log p over the V words (-inf where a sparse head gives 0)
   * @param k how many (0: for a sparse head the whole support)
   * @param sparse whether only words of positive probability are returned
   */
  public static NextWords select(float[] logProbabilities, int k, boolean sparse) {
    int v = logProbabilities.length;
    Integer[] order;
    int support = v;
    if (sparse) {
      support = 0;
      for (float x : logProbabilities) {
        if (x > Float.NEGATIVE_INFINITY) {
          support++;
        }
      }
      order = new Integer[support];
      for (int i = 0, j = 0; i < v; i++) {
        if (logProbabilities[i] > Float.NEGATIVE_INFINITY) {
          order[j++] = i;
        }
      }
    } else {
      order = new Integer[v];
      Arrays.setAll(order, i -> i);
    }
    int keep = k > 0 ? Math.min(k, order.length) : order.length;
    int[] ids = topIndices(logProbabilities, order, keep);
    float[] p = new float[keep];
    for (int i = 0; i < keep; i++) {
      p[i] = (float) Math.exp(logProbabilities[ids[i]]);
    }
    return new NextWords(ids, p, support);
  }

  /** The {@code keep} best of {@code candidates} by value, then by index; a bounded heap. */
  private static int[] topIndices(float[] values, Integer[] candidates, int keep) {
    Comparator<Integer> better = (a, b) -> {
      int c = Float.compare(values[b], values[a]);
      return c != 0 ? c : Integer.compare(a, b);
    };
    PriorityQueue<Integer> worstFirst = new PriorityQueue<>(keep + 1, better.reversed());
    for (Integer c : candidates) {
      if (worstFirst.size() < keep) {
        worstFirst.add(c);
      } else if (keep > 0 && better.compare(c, worstFirst.peek()) < 0) {
        worstFirst.poll();
        worstFirst.add(c);
      }
    }
    int[] out = new int[worstFirst.size()];
    for (int i = out.length - 1; i >= 0; i--) {
      out[i] = worstFirst.poll();
    }
    return out;
  }
}
