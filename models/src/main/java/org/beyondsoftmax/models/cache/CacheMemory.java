package org.beyondsoftmax.models.cache;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * The memories a cache carries from one window to the next, per batch row, oldest first: keys
 * [B, L, H] (hidden states h_i) and words [B, L] (the word x_{i+1} that followed each, as a
 * float id: exact below 2^24; -1 marks an empty slot, whose key is 0). Its size does not grow
 * with the text read: B L (H + 1) numbers.
 *
 * <p>A model carries it as two more recurrent-state tensors of rank 2 ({@link #flat}): keys
 * [B, L H] and words [B, L], so that whatever carries an LSTM's state (c and h, [B, H]) between
 * batches, checkpoints included, carries the memory too.
 */
public record CacheMemory<T extends TFloating>(Operand<T> keys, Operand<T> words) {
  /** The word of an empty slot. */
  public static final float EMPTY = -1f;

  /** The memory with no entries for {@code batch} rows: keys 0, words {@link #EMPTY}. */
  public static <T extends TFloating> CacheMemory<T> empty(
      Ops tf, Operand<TInt32> batch, int size, int hidden, Class<T> dtype) {
    Operand<T> keys = tf.fill(tf.stack(List.of(batch, tf.constant(size), tf.constant(hidden))),
        tf.dtypes.cast(tf.constant(0f), dtype));
    Operand<T> words = tf.fill(tf.stack(List.of(batch, tf.constant(size))),
        tf.dtypes.cast(tf.constant(EMPTY), dtype));
    return new CacheMemory<>(keys, words);
  }

  /** The memory as two state tensors: keys [B, L H] and words [B, L]. */
  public List<Operand<T>> flat(Ops tf, int size, int hidden) {
    return List.of(tf.reshape(keys, tf.constant(new long[] {-1, (long) size * hidden})), words);
  }

  /** The inverse of {@link #flat}. */
  public static <T extends TFloating> CacheMemory<T> ofFlat(
      Ops tf, List<? extends Operand<T>> flat, int size, int hidden) {
    if (flat.size() != 2) {
      throw new IllegalArgumentException("a cache memory is 2 state tensors, got " + flat.size());
    }
    return new CacheMemory<>(
        tf.reshape(flat.get(0), tf.constant(new long[] {-1, size, hidden})), flat.get(1));
  }

  /** The widths of the state tensors of {@link #flat}: L H and L. */
  public static List<Integer> widths(int size, int hidden) {
    return List.of(size * hidden, size);
  }

  /** The value of each state tensor of an empty memory: 0 (keys) and {@link #EMPTY} (words). */
  public static List<Float> emptyValues() {
    return List.of(0f, EMPTY);
  }
}
