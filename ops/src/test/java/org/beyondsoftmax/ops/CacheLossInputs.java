package org.beyondsoftmax.ops;

import java.util.Random;
import org.beyondsoftmax.ops.testing.RandomValues;

/**
 * Random inputs of the cache losses for N queries with L memories each, row-major: logits [N, V]
 * and similarities [N, L] (Gaussian), and per memory whether it is valid and the word it holds.
 * The arrays are the tests' to change (masks, special rows).
 */
record CacheLossInputs(double[] logits, double[] sims, boolean[] valid, int[] words) {
  /**
   * Draws, in this order, the logits (scale 1.5), the similarities (scale simScale), then for each
   * memory its validity (probability pValid) and its word (uniform in [0, wordRange)).
   */
  static CacheLossInputs random(Random r, int n, int v, int l, double simScale, double pValid,
      int wordRange) {
    double[] logits = RandomValues.gaussian(r, n * v, 1.5);
    double[] sims = RandomValues.gaussian(r, n * l, simScale);
    boolean[] valid = new boolean[n * l];
    int[] words = new int[n * l];
    memories(r, valid, words, pValid, wordRange);
    return new CacheLossInputs(logits, sims, valid, words);
  }

  /** Fills valid and words, memory by memory: valid with probability pValid, a word in [0, wordRange). */
  static void memories(Random r, boolean[] valid, int[] words, double pValid, int wordRange) {
    for (int i = 0; i < valid.length; i++) {
      valid[i] = r.nextDouble() < pValid;
      words[i] = r.nextInt(wordRange);
    }
  }
}
