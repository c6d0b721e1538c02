package org.beyondsoftmax.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Top-k and support selection against a plain full sort. */
class NextWordsTest {
  @Test
  void topKEqualsTheFirstKOfAFullSort() {
    SplittableRandom r = new SplittableRandom(7);
    for (int trial = 0; trial < 50; trial++) {
      int v = 1 + r.nextInt(300);
      float[] logp = new float[v];
      for (int i = 0; i < v; i++) {
        logp[i] = (float) Math.log(r.nextDouble()) + (r.nextInt(4) == 0 ? 0 : 0.5f); // ties on purpose
        if (r.nextInt(10) == 0 && i > 0) {
          logp[i] = logp[i - 1];
        }
      }
      int k = 1 + r.nextInt(v);
      Integer[] sorted = IntStream.range(0, v).boxed().sorted(Comparator.<Integer>comparingDouble(i -> -logp[i])
          .thenComparingInt(i -> i)).toArray(Integer[]::new);
      NextWords w = NextWords.select(logp, k, false);
      assertArrayEquals(Arrays.stream(sorted).limit(k).mapToInt(Integer::intValue).toArray(), w.ids(), "trial " + trial);
      for (int j = 0; j < k; j++) {
        assertEquals(Math.exp(logp[w.ids()[j]]), w.probabilities()[j], 1e-6);
      }
      assertEquals(v, w.support());
    }
  }

  @Test
  void aSparseRowGivesItsSupportMostProbableFirst() {
    float ninf = Float.NEGATIVE_INFINITY;
    float[] logp = {ninf, (float) Math.log(0.2), ninf, (float) Math.log(0.5), (float) Math.log(0.3), ninf};
    NextWords all = NextWords.select(logp, 0, true);
    assertArrayEquals(new int[] {3, 4, 1}, all.ids());
    assertArrayEquals(new float[] {0.5f, 0.3f, 0.2f}, all.probabilities(), 1e-6f);
    assertEquals(3, all.support());
    NextWords two = NextWords.select(logp, 2, true);
    assertArrayEquals(new int[] {3, 4}, two.ids());
    assertEquals(3, two.support());
    assertArrayEquals(new int[] {3, 4, 1}, NextWords.select(logp, 5, true).ids(), "never a word of probability 0");
  }
}
