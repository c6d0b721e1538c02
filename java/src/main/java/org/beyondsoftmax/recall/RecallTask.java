package org.beyondsoftmax.recall;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.beyondsoftmax.args.Arguments;

/**
 * The associative-recall task (as in Ba et al. 2016's fast weights and the Zoology benchmark, Arora
 * et al. 2023), one key-value pair per position: a sequence of length L holds L - 1 pairs
 * (k_i, v_i), then a query key q; the answer is the value of the one pair whose key is q. Keys
 * come from K symbols, values from V; the pair with key q sits at a uniform position, every other
 * pair has a key other than q (repeats among them allowed, so any L works with few keys) and a
 * uniform value. Chance accuracy is 1 / V.
 *
 * <p>Why one pair per position: with keys and values as separate tokens, binding a value to the
 * key before it needs position information, and learned positions do not extrapolate beyond the
 * training length. With pairs, recall needs content only, and the model can read any length with
 * no positional embeddings at all; what changes with L is the number of keys attention must pick
 * the one out of, which is what the normalisers differ in (softmax attention flattens as n grows).
 *
 * <p>Inputs per position: a key id in [0, 2K) (a pair's key k, or K + q for the query, which has
 * its own embedding so that the query does not match itself) and a value id in [0, V] (V for the
 * query: no value). Deterministic in the seed.
 */
public final class RecallTask {
  /** A batch of B sequences of length L, row-major [B, L], and the answers [B]. */
  public record Batch(int batch, int length, int[] keys, int[] values, int[] answers) {
    /**
     * The sequences left-padded to {@code width} &gt;= L with key and value id 0, and the weights
     * [B, width] that mask the padding (0) and keep the sequence (1).
     */
    public Padded leftPadded(int width) {
      if (width < length) {
        throw new IllegalArgumentException("width must be >= the length " + length + ", got " + width);
      }
      int[] k = new int[batch * width];
      int[] v = new int[batch * width];
      float[] w = new float[batch * width];
      int pad = width - length;
      for (int b = 0; b < batch; b++) {
        System.arraycopy(keys, b * length, k, b * width + pad, length);
        System.arraycopy(values, b * length, v, b * width + pad, length);
        Arrays.fill(w, b * width + pad, (b + 1) * width, 1f);
      }
      return new Padded(new Batch(batch, width, k, v, answers), w);
    }
  }

  /** A left-padded {@link Batch} and its weights [B, L]: 0 on padding, 1 on the sequence. */
  public record Padded(Batch batch, float[] weights) {}

  private final int keys;
  private final int values;

  /**
   * @param keys K &gt;= 2
   * @param values V &gt;= 2
   */
  public RecallTask(int keys, int values) {
    Arguments.atLeast("--keys", keys, 2);
    Arguments.atLeast("--values", values, 2);
    this.keys = keys;
    this.values = values;
  }

  public int keys() {
    return keys;
  }

  public int values() {
    return values;
  }

  /** Key ids: K pair keys and K query keys. */
  public int keyIds() {
    return 2 * keys;
  }

  /** Value ids: V values and the query's "no value". */
  public int valueIds() {
    return values + 1;
  }

  /** B sequences of length L &gt;= 2 drawn from {@code random}. */
  public Batch sample(SplittableRandom random, int batch, int length) {
    if (length < 2) {
      throw new IllegalArgumentException("length must be >= 2 (a pair and the query), got " + length);
    }
    int[] k = new int[batch * length];
    int[] v = new int[batch * length];
    int[] answers = new int[batch];
    for (int b = 0; b < batch; b++) {
      int q = random.nextInt(keys);
      int at = random.nextInt(length - 1);
      for (int i = 0; i < length - 1; i++) {
        int key = i == at ? q : (q + 1 + random.nextInt(keys - 1)) % keys;
        k[b * length + i] = key;
        v[b * length + i] = random.nextInt(values);
      }
      answers[b] = v[b * length + at];
      k[b * length + length - 1] = keys + q;
      v[b * length + length - 1] = values;
    }
    return new Batch(batch, length, k, v, answers);
  }
}
