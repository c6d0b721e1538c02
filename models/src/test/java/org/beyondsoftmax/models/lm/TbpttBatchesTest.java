package org.beyondsoftmax.models.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Truncated-BPTT batches: every (token, next token) pair once, columns in stream order. */
class TbpttBatchesTest {

  @Test
  void batchesHoldEveryPairOnceInStreamOrderPerColumn() {
    int[] tokens = new int[23];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = i;
    }
    TbpttBatches b = new TbpttBatches(tokens, 4, 3);
    assertEquals(22, b.pairs());
    assertEquals(2, b.size(), "columns of ceil(22 / 4) = 6 pairs, 3 per batch");
    int[][] pairs = b.allPairs();
    assertEquals(22, pairs.length);
    Set<Integer> seen = new HashSet<>();
    for (int[] pair : pairs) {
      assertEquals(pair[0] + 1, pair[1], "the target is the next token");
      seen.add(pair[0]);
    }
    assertEquals(22, seen.size(), "every pair once");
    TbpttBatches.Batch first = b.get(0);
    assertArrayEquals(new int[] {0, 1, 2, 6, 7, 8, 12, 13, 14, 18, 19, 20}, first.ids(), "column b starts at 6 b");
    TbpttBatches.Batch second = b.get(1);
    assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, second.weights(), "the last column is short");
    assertEquals(22, first.tokens() + second.tokens());
  }
}
