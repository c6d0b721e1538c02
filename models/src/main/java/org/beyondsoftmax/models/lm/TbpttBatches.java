package org.beyondsoftmax.models.lm;

import java.util.Arrays;

/**
 * A token stream cut for truncated back-propagation through time (Williams &amp; Peng 1990; the
 * usual "batchify" of word-level LMs): the n - 1 (input, next word) pairs of a stream of n
 * tokens, split into B contiguous columns of L = ceil((n - 1) / B) pairs, read T pairs of every
 * column at a time. Batch s holds pairs [s T, s T + T) of each column, so the recurrent state at
 * the end of batch s is the right initial state of batch s + 1. Positions past a column's end
 * (the last column, the last batch) have id 0 and weight 0: every pair is used exactly once, and
 * the weights sum to n - 1 over all batches.
 */
public final class TbpttBatches {
  /** One batch, row-major [B, T]: input ids, target ids (the next words), weights 1 or 0. */
  public record Batch(int batch, int steps, int[] ids, int[] targets, float[] weights) {
    /** The number of weight-1 positions. */
    public int tokens() {
      int n = 0;
      for (float w : weights) {
        n += w > 0 ? 1 : 0;
      }
      return n;
    }
  }

  private final int[] tokens;
  private final int batch;
  private final int steps;
  private final int column;

  /**
   * @param tokens the stream (at least 2 tokens)
   * @param batch B, the number of columns (clipped to the number of pairs)
   * @param steps T
   */
  public TbpttBatches(int[] tokens, int batch, int steps) {
    if (tokens.length < 2) {
      throw new IllegalArgumentException("tokens must hold at least 2 tokens, got " + tokens.length);
    }
    if (batch < 1 || steps < 1) {
      throw new IllegalArgumentException("batch and steps must be >= 1, got " + batch + ", " + steps);
    }
    this.tokens = tokens;
    this.batch = Math.min(batch, tokens.length - 1);
    this.steps = steps;
    this.column = (tokens.length - 1 + this.batch - 1) / this.batch;
  }

  /** The number of batches: ceil(L / T). */
  public int size() {
    return (column + steps - 1) / steps;
  }

  /** The number of (input, next word) pairs: n - 1. */
  public long pairs() {
    return tokens.length - 1L;
  }

  public int batchSize() {
    return batch;
  }

  public int steps() {
    return steps;
  }

  /** Batch {@code index} in [0, {@link #size()}). */
  public Batch get(int index) {
    if (index < 0 || index >= size()) {
      throw new IllegalArgumentException("index must be in [0, " + size() + "), got " + index);
    }
    int[] ids = new int[batch * steps];
    int[] targets = new int[batch * steps];
    float[] weights = new float[batch * steps];
    int pairs = tokens.length - 1;
    for (int b = 0; b < batch; b++) {
      int start = b * column;
      int end = Math.min(start + column, pairs);
      for (int t = 0; t < steps; t++) {
        int pair = start + index * steps + t;
        if (pair < end) {
          ids[b * steps + t] = tokens[pair];
          targets[b * steps + t] = tokens[pair + 1];
          weights[b * steps + t] = 1;
        }
      }
    }
    return new Batch(batch, steps, ids, targets, weights);
  }

  @Override
  public String toString() {
    return "TbpttBatches(" + pairs() + " pairs, B = " + batch + ", T = " + steps + ", " + size() + " batches)";
  }

  /** For tests: the pairs of all batches, in (column, position) order. */
  int[][] allPairs() {
    int[][] out = new int[(int) pairs()][];
    int k = 0;
    for (int b = 0; b < batch; b++) {
      for (int s = 0; s < size(); s++) {
        Batch x = get(s);
        for (int t = 0; t < steps; t++) {
          if (x.weights()[b * steps + t] > 0) {
            out[k++] = new int[] {x.ids()[b * steps + t], x.targets()[b * steps + t]};
          }
        }
      }
    }
    return k == out.length ? out : Arrays.copyOf(out, k);
  }
}
