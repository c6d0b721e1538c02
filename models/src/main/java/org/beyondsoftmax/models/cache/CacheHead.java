package org.beyondsoftmax.models.cache;

import java.util.List;
import java.util.Objects;
import org.beyondsoftmax.models.heads.OutputHead;
import org.beyondsoftmax.models.heads.TopK;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * A cache head: any {@link OutputHead} (dense or sparse) with a memory of the last L (hidden
 * state, next word) pairs of the text read so far (Grave, Joulin &amp; Usunier 2017, "Improving
 * Neural Language Models with a Continuous Cache"). The memory ({@link CacheMemory}) is carried
 * from one BPTT window to the next like a recurrent state, so only L pairs are ever kept; a window
 * ({@link #window}) gives the head's distribution mixed with the cache's, per position or for the
 * next word, and the training losses of TRIME and HistAlign ({@link CacheSettings#training}).
 *
 * <p>Adds no variables: at inference the cache is a function of the hidden states; its lambda and
 * theta are inputs, not weights.
 */
public final class CacheHead<T extends TFloating> {
  private final OutputHead<T> head;
  private final CacheSettings settings;
  private final int hidden;

  /**
   * @param head the head to wrap
   * @param hidden H, the size of the hidden states (the head's input)
   */
  public CacheHead(OutputHead<T> head, CacheSettings settings, int hidden) {
    this.head = Objects.requireNonNull(head, "head");
    this.settings = Objects.requireNonNull(settings, "settings");
    if (hidden < 1) {
      throw new IllegalArgumentException("hidden must be >= 1, got " + hidden);
    }
    this.hidden = hidden;
  }

  public OutputHead<T> head() {
    return head;
  }

  public CacheSettings settings() {
    return settings;
  }

  /**
   * Whether the model's distribution is TRIME's joint softmax over the head's logits and the
   * memories (a cache trained with TRIME or HistAlign on a head with full support: as trained),
   * rather than the mixture with a fixed lambda (an untrained cache, or a sparse head).
   */
  public boolean joint() {
    return settings.training() != CacheTraining.NONE && !head.isSparse();
  }

  /** H, the size of the hidden states and of the memories' keys. */
  public int hidden() {
    return hidden;
  }

  /** An empty memory for {@code batch} rows. */
  public CacheMemory<T> emptyMemory(Ops tf, Operand<TInt32> batch, Class<T> dtype) {
    return CacheMemory.empty(tf, batch, settings.size(), hidden, dtype);
  }

  /** The memory as state tensors [B, L H] and [B, L] ({@link CacheMemory#flat}). */
  public List<Operand<T>> flat(Ops tf, CacheMemory<T> memory) {
    return memory.flat(tf, settings.size(), hidden);
  }

  /** The memory of state tensors made by {@link #flat}. */
  public CacheMemory<T> memory(Ops tf, List<? extends Operand<T>> flat) {
    return CacheMemory.ofFlat(tf, flat, settings.size(), hidden);
  }

  /**
   * One window of T positions after the memory {@code carried}.
   *
   * @param hiddenRows the hidden states as time-major rows [T B, H] (row t B + b)
   * @param steps T, static
   * @param ids [B, T] the input words x_t
   * @param targets [B, T] the next words x_{t+1}
   * @param weights [B, T], 0 for padding (never a memory) and 1 elsewhere
   */
  public CacheWindow<T> window(Ops tf, Operand<T> hiddenRows, int steps, Operand<TInt32> ids,
      Operand<TInt32> targets, Operand<T> weights, CacheMemory<T> carried) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    return CacheWindow.of(tf, this, hiddenRows, steps, ids, targets, weights, carried);
  }

  /** The k most probable words of log-probabilities [B, V] (a mixture), most probable first. */
  public static <T extends TFloating> TopK<T> topK(Ops tf, Operand<T> logProbabilities, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    Ops s = tf.withSubScope("cacheTopK");
    long classes = logProbabilities.shape().get(logProbabilities.shape().numDimensions() - 1);
    int kk = classes > 0 ? (int) Math.min(k, classes) : k;
    var top = s.nn.topK(s.stopGradient(logProbabilities), s.constant(kk), TInt32.class);
    return new TopK<>(top.indices(), s.math.exp(top.values()));
  }
}
