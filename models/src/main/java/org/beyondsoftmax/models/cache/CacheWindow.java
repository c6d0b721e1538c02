package org.beyondsoftmax.models.cache;

import java.util.List;
import org.beyondsoftmax.models.heads.OutputHead;
import org.beyondsoftmax.ops.CacheLosses;
import org.beyondsoftmax.ops.NeuralCache;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceAny;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * One BPTT window of T positions seen by a {@link CacheHead}: its queries, the memories they may
 * use, and what is built from them. Batch-major throughout: B rows of T positions.
 *
 * <p><b>Memories.</b> The bank of a window is the L carried memories (oldest first) followed by
 * the window's own T positions: memory L + i is (h_i, x_{i+1}), the hidden state at position i
 * and the word after it. A memory is <i>present</i> if it is a filled carried slot or a window
 * position of weight &gt; 0 (padding is never a memory). Query t (the hidden state h_t, which
 * predicts x_{t+1}) may use memory k iff k is present, k &lt; L + t (no look-ahead: its own next
 * word is not in the bank yet) and k is one of the last L present memories before it: the cache
 * holds L memories at any time, whatever the window length, so a stream gives the same
 * distributions however it is cut into windows. The words of the window's memories that queries
 * may use are the next input ids (x_{i+1} = ids[i + 1]); the memory carried out of the window
 * ({@link #next}) takes its words from the targets, the only source of the last position's word.
 *
 * <p><b>Cost.</b> Besides the ops of {@code NeuralCache} and {@code CacheLosses} on
 * [B, T, L + T]: a cumulative count and an [L + T]-wide binary search per row to pick the last L
 * memories; nothing grows with the length of the text.
 */
public final class CacheWindow<T extends TFloating> {
  private final Ops tf;
  private final CacheHead<T> cache;
  private final int steps;
  private final Operand<T> queries;
  private final Operand<T> keys;
  private final Operand<TInt32> words;
  private final Operand<TBool> valid;
  private final CacheMemory<T> next;

  private CacheWindow(Ops tf, CacheHead<T> cache, int steps, Operand<T> queries, Operand<T> keys,
      Operand<TInt32> words, Operand<TBool> valid, CacheMemory<T> next) {
    this.tf = tf;
    this.cache = cache;
    this.steps = steps;
    this.queries = queries;
    this.keys = keys;
    this.words = words;
    this.valid = valid;
    this.next = next;
  }

  /** See {@link CacheHead#window}. */
  static <T extends TFloating> CacheWindow<T> of(Ops tf, CacheHead<T> cache, Operand<T> hiddenRows,
      int steps, Operand<TInt32> ids, Operand<TInt32> targets, Operand<T> weights,
      CacheMemory<T> carried) {
    Ops s = tf.withSubScope("cacheWindow");
    int size = cache.settings().size();
    int hidden = cache.hidden();
    Operand<T> queries = s.linalg.transpose(
        s.reshape(hiddenRows, s.constant(new long[] {steps, -1, hidden})),
        s.constant(new int[] {1, 0, 2}));
    Operand<T> keys = s.concat(List.of(carried.keys(), queries), s.constant(1));
    Operand<TInt32> carriedWords = s.dtypes.cast(carried.words(), TInt32.class);
    Operand<TInt32> batch = s.gather(s.shape(ids), s.constant(0), s.constant(0));
    Operand<TInt32> nextIds = s.concat(List.of(
        s.slice(ids, s.constant(new int[] {0, 1}), s.constant(new int[] {-1, -1})),
        s.fill(s.stack(List.of(batch, s.constant(1))), s.constant(-1))), s.constant(1));
    Operand<TInt32> words = s.concat(List.of(carriedWords, nextIds), s.constant(1));
    Operand<TBool> present = s.concat(List.of(
        s.math.greaterEqual(carriedWords, s.constant(0)),
        s.math.greater(weights, s.zerosLike(weights))), s.constant(1)); // [B, L + T]
    Operand<TInt32> count = s.dtypes.cast(present, TInt32.class);
    Operand<TInt32> ordinal = s.math.cumsum(count, s.constant(1)); // 1-based rank among present
    Operand<TInt32> before = s.slice(s.math.sub(ordinal, count),
        s.constant(new int[] {0, size}), s.constant(new int[] {-1, steps})); // [B, T]
    Operand<TInt32> memory = s.range(s.constant(0), s.constant(size + steps), s.constant(1));
    Operand<TInt32> query = s.range(s.constant(size), s.constant(size + steps), s.constant(1));
    Operand<TBool> earlier = s.math.less(
        s.expandDims(memory, s.constant(0)), s.expandDims(query, s.constant(1))); // [T, L + T]
    Operand<TBool> recent = s.math.greater(s.expandDims(ordinal, s.constant(1)),
        s.expandDims(s.math.sub(before, s.constant(size)), s.constant(-1))); // [B, T, L + T]
    Operand<TBool> valid = s.math.logicalAnd(
        s.math.logicalAnd(s.expandDims(present, s.constant(1)), earlier), recent);
    Operand<T> wordsOut = s.concat(
        List.of(carried.words(), s.dtypes.cast(targets, carried.words().type())), s.constant(1));
    CacheMemory<T> next = lastMemories(s, keys, wordsOut, ordinal, size, hidden, steps);
    return new CacheWindow<>(tf, cache, steps, queries, keys, words, valid, next);
  }

  /**
   * The last {@code size} present memories of the bank, oldest first, as a new memory: slot j
   * holds the present memory of rank (present count) - (size - 1 - j), found by a binary search
   * in the ranks; empty where there are fewer. No gradient.
   */
  private static <T extends TFloating> CacheMemory<T> lastMemories(Ops tf, Operand<T> keys,
      Operand<T> words, Operand<TInt32> ordinal, int size, int hidden, int steps) {
    int bank = size + steps;
    Operand<TInt32> total = tf.slice(
        ordinal, tf.constant(new int[] {0, bank - 1}), tf.constant(new int[] {-1, 1})); // [B, 1]
    Operand<TInt32> offsets = tf.range(tf.constant(1 - size), tf.constant(1), tf.constant(1));
    Operand<TInt32> wanted = tf.math.add(total, tf.expandDims(offsets, tf.constant(0))); // [B, L]
    Operand<TBool> filled = tf.math.greater(wanted, tf.zerosLike(wanted));
    Operand<TInt32> at = tf.lowerBound(ordinal, wanted); // the first memory of that rank
    Operand<TInt32> rows = tf.range(tf.constant(0), tf.gather(tf.shape(ordinal), tf.constant(0),
        tf.constant(0)), tf.constant(1));
    Operand<TInt32> flat = tf.math.add(at, tf.expandDims(tf.math.mul(rows, tf.constant(bank)),
        tf.constant(1)));
    Operand<T> newKeys = tf.gather(tf.reshape(tf.stopGradient(keys), tf.constant(new long[] {-1, hidden})),
        flat, tf.constant(0)); // [B, L, H]
    Operand<T> newWords = tf.gather(tf.reshape(words, tf.constant(new long[] {-1})), flat,
        tf.constant(0)); // [B, L]
    return new CacheMemory<>(
        tf.select(tf.expandDims(filled, tf.constant(-1)), newKeys, tf.zerosLike(newKeys)),
        tf.select(filled, newWords, tf.dtypes.cast(tf.constant(CacheMemory.EMPTY), words.type())));
  }

  /** The memory carried to the next window: the last L present memories. */
  public CacheMemory<T> next() {
    return next;
  }

  /** [B, T]: whether each query has a memory it may use. */
  public Operand<TBool> anyMemory() {
    return tf.reduceAny(valid, tf.constant(-1));
  }

  /**
   * The model's log-probability of each position's target: the mixture log((1 - lambda)
   * p_head(y_t) + lambda p_cache(y_t)) ({@link NeuralCache#logProbabilitiesOfTargets}), or for a
   * {@link CacheHead#joint joint} cache TRIME's joint softmax (lambda unused).
   *
   * @param headOfTargets [B, T] the head's log p(y_t)
   * @param targets [B, T]
   * @param lambda scalar in [0, 1]; theta scalar &gt; 0 (checked when the graph runs)
   */
  public Operand<T> logProbabilitiesOfTargets(Operand<T> headOfTargets, Operand<TInt32> targets,
      Operand<T> lambda, Operand<T> theta) {
    if (cache.joint()) {
      Flat<T> f = flat(tf.withSubScope("joint"), targets, null, theta);
      return tf.reshape(tf.math.neg(CacheLosses.trimeLoss(f.tf(), cache.head().logits(f.rows()), f.sims(),
          f.usable(), f.words(), f.targets())), tf.shape(targets));
    }
    return NeuralCache.logProbabilitiesOfTargets(
        tf, headOfTargets, queries, keys, words, valid, targets, lambda, theta);
  }

  /**
   * The cache's log-probability of each position's target, log p_cache(y_t) (-inf where no memory
   * holds it), and {@code headOfTargets} where the query has no memory at all: then any mixture of
   * the two is the head's distribution, as in {@link #logProbabilitiesOfTargets}. With the head's
   * values, it gives the mixture for every lambda without another run (a grid search); not the
   * joint softmax of a {@link CacheHead#joint joint} cache, whose weight depends on the query.
   */
  public Operand<T> cacheOfTargets(Operand<T> headOfTargets, Operand<TInt32> targets, Operand<T> theta) {
    Operand<T> c = NeuralCache.logCacheOfTargets(tf, queries, keys, words, valid, targets, theta);
    return tf.select(anyMemory(), c, headOfTargets);
  }

  /**
   * The model's distribution over the vocabulary at every position, [B, T, V] for the head's
   * [B, T, V]: the mixture, or TRIME's joint softmax.
   */
  public Operand<T> logProbabilities(Operand<T> head, Operand<T> lambda, Operand<T> theta) {
    if (cache.joint()) {
      return joint(tf.withSubScope("joint"), queries, valid, theta);
    }
    return NeuralCache.logProbabilities(tf, head, queries, keys, words, valid, lambda, theta);
  }

  /**
   * The mixture over the vocabulary after the window's last position (the next word): [B, V] for
   * the head's [B, V] at that position.
   */
  public Operand<T> nextLogProbabilities(Operand<T> head, Operand<T> lambda, Operand<T> theta) {
    Ops s = tf.withSubScope("nextWord");
    Operand<TInt32> last = s.constant(steps - 1);
    Operand<T> query = s.gather(queries, last, s.constant(1));
    Operand<TBool> usable = s.gather(valid, last, s.constant(1));
    if (cache.joint()) {
      return joint(s, query, usable, theta);
    }
    return NeuralCache.logProbabilities(s, head, query, keys, words, usable, lambda, theta);
  }

  /**
   * TRIME's joint softmax over the vocabulary: log p(w) = log(e^{z_w} + sum_{usable i, w_i = w}
   * e^{s_i}) - log(sum_v e^{z_v} + sum_{usable i} e^{s_i}), z the head's logits and s_i = theta
   * h.m_i: the mixture of softmax(z) and the cache with the weight lambda(h) = M / (Z + M) of the
   * memories' mass M against the vocabulary's Z.
   *
   * @param query [B, T, H] or [B, H]; usable its validity [B, T, L'] or [B, L']
   */
  private Operand<T> joint(Ops s, Operand<T> query, Operand<TBool> usable, Operand<T> theta) {
    int rank = query.shape().numDimensions();
    Operand<T> z = cache.head().logits(s.reshape(query, s.constant(new long[] {-1, cache.hidden()})));
    long vocabulary = z.shape().get(1);
    Operand<TInt32> outer = s.slice(s.shape(query), s.constant(new int[] {0}), s.constant(new int[] {rank - 1}));
    z = s.reshape(z, s.concat(List.of(outer, s.constant(new int[] {(int) vocabulary})), s.constant(0)));
    Operand<T> logZ = logSumExp(s, z, null);
    Operand<T> logM = logSumExp(s, s.math.mul(NeuralCache.similarities(s, query, keys), theta), usable);
    Operand<T> held = s.math.add(
        NeuralCache.logCache(s, query, keys, words, usable, theta, vocabulary), logM); // log sum_{w_i = w} e^s_i
    return s.math.sub(logAddExp(s, z, held), logAddExp(s, logZ, logM));
  }

  /** log sum exp over the last axis where {@code mask} (all where null), kept as size 1; -inf for none. */
  private static <T extends TFloating> Operand<T> logSumExp(Ops tf, Operand<T> x, Operand<TBool> mask) {
    Operand<T> lowest = tf.fill(tf.shape(x), tf.dtypes.cast(tf.constant(Float.NEGATIVE_INFINITY), x.type()));
    Operand<T> masked = mask == null ? x : tf.select(mask, x, lowest);
    Operand<T> max = tf.reduceMax(masked, tf.constant(-1), ReduceMax.keepDims(true));
    Operand<T> safe = tf.select(tf.math.isFinite(max), max, tf.zerosLike(max));
    return tf.math.add(safe, tf.math.log(tf.reduceSum(tf.math.exp(tf.math.sub(masked, safe)), tf.constant(-1),
        ReduceSum.keepDims(true))));
  }

  /** log(e^a + e^b) (broadcast), -inf where both are. */
  private static <T extends TFloating> Operand<T> logAddExp(Ops tf, Operand<T> a, Operand<T> b) {
    Operand<T> max = tf.math.maximum(a, b);
    Operand<T> safe = tf.select(tf.math.isFinite(max), max, tf.zerosLike(max));
    return tf.math.add(safe, tf.math.log(tf.math.add(tf.math.exp(tf.math.sub(a, safe)),
        tf.math.exp(tf.math.sub(b, safe)))));
  }

  /**
   * How well queries align with the memories of their target: per position, 1 + the number of
   * usable memories more similar (h_t.m_i) to the query than the most similar memory holding the
   * target (1: the right memory comes first); 0 where no usable memory holds the target.
   *
   * @return [B, T], the dtype of the hidden states
   */
  public Operand<T> targetMemoryRank(Operand<TInt32> targets) {
    Ops s = tf.withSubScope("targetMemoryRank");
    Operand<T> sims = NeuralCache.similarities(s, queries, keys); // [B, T, L + T]
    Operand<TBool> holds = s.math.logicalAnd(valid,
        s.math.equal(s.expandDims(words, s.constant(1)), s.expandDims(targets, s.constant(-1))));
    Operand<T> lowest = s.fill(s.shape(sims), s.dtypes.cast(s.constant(Float.NEGATIVE_INFINITY), sims.type()));
    Operand<T> best = s.reduceMax(s.select(holds, sims, lowest), s.constant(-1),
        ReduceMax.keepDims(true));
    Operand<TBool> ahead = s.math.logicalAnd(valid, s.math.greater(sims, best));
    Operand<T> rank = s.math.add(s.reduceSum(s.dtypes.cast(ahead, sims.type()), s.constant(-1)),
        s.dtypes.cast(s.constant(1f), sims.type()));
    Operand<TBool> some = s.reduceAny(holds, s.constant(-1));
    return s.select(some, rank, s.zerosLike(rank));
  }

  /**
   * The weighted mean training loss of the window with the cache ({@link CacheSettings#training}
   * TRIME or HISTALIGN), over the positions of weight &gt; 0. The memories' logits are
   * s_i = theta h_t.m_i; memories of this window get gradients, carried ones are inputs.
   *
   * <ul>
   *   <li>Heads with full support: TRIME's joint softmax over the head's {@link
   *       OutputHead#logits logits} and the usable memories ({@link CacheLosses#trimeLoss}).
   *   <li>Sparse heads have no logits whose softmax is their distribution: their own loss, plus
   *       the cache's cross-entropy -log p_cache(y_t) at the positions where a usable memory
   *       holds the target (TRIME's memory part; its vocabulary part is the head's loss).
   *   <li>HISTALIGN adds {@code histAlignWeight} times {@link CacheLosses#histAlignLoss} with the
   *       order of HistAlign: cosines of the input embeddings of target and memory words.
   * </ul>
   *
   * @param targets [B, T]
   * @param weights [B, T], 0 or 1
   * @param embedding [V, E] the input embedding (HISTALIGN only; else may be null)
   */
  public Operand<T> trainingLoss(Operand<TInt32> targets, Operand<T> weights, Operand<T> theta,
      Operand<T> embedding) {
    CacheSettings settings = cache.settings();
    if (settings.training() == CacheTraining.NONE) {
      throw new IllegalStateException("the cache's training is NONE: train with the head's loss");
    }
    Flat<T> f = flat(tf.withSubScope("cacheLoss"), targets, weights, theta);
    Ops s = f.tf();
    OutputHead<T> head = cache.head();
    Operand<T> w = s.reshape(weights, s.constant(new long[] {-1}));
    Operand<T> perPosition = head.isSparse()
        ? s.math.add(head.loss(f.rows(), f.targets()), memoryLoss(s, f.sims(), f.usable(), f.words(), f.targets()))
        : CacheLosses.trimeLoss(s, head.logits(f.rows()), f.sims(), f.usable(), f.words(), f.targets());
    Operand<T> loss = s.math.div(s.reduceSum(s.math.mul(perPosition, w), s.constant(0)),
        s.math.maximum(s.reduceSum(w, s.constant(0)), s.dtypes.cast(s.constant(1f), w.type())));
    if (settings.training() == CacheTraining.HISTALIGN) {
      Operand<T> order = CacheLosses.embeddingCosines(s, embedding, f.targets(), f.words());
      Operand<T> align = CacheLosses.histAlignLoss(
          s, f.sims(), f.usable(), f.words(), f.targets(), order, settings.histAlignMargin());
      loss = s.math.add(loss, s.math.mul(align,
          s.dtypes.cast(s.constant(settings.histAlignWeight()), loss.type())));
    }
    return loss;
  }

  /**
   * The window's B T queries as rows (batch-major): hidden states [B T, H], their memories'
   * logits theta h.m [B T, L + T], which memories each may use [B T, L + T] (none for a position of
   * weight 0), the memories' words [B T, L + T] and the targets [B T].
   */
  private record Flat<T extends TFloating>(Ops tf, Operand<T> rows, Operand<T> sims, Operand<TBool> usable,
      Operand<TInt32> words, Operand<TInt32> targets) {}

  /** {@link Flat} of this window; {@code weights} null: every position counts. */
  private Flat<T> flat(Ops s, Operand<TInt32> targets, Operand<T> weights, Operand<T> theta) {
    int bank = cache.settings().size() + steps;
    long[] byMemory = {-1, bank};
    Operand<TBool> usable = valid;
    if (weights != null) {
      usable = s.math.logicalAnd(valid,
          s.expandDims(s.math.greater(weights, s.zerosLike(weights)), s.constant(-1)));
    }
    return new Flat<>(s, s.reshape(queries, s.constant(new long[] {-1, cache.hidden()})),
        s.reshape(s.math.mul(NeuralCache.similarities(s, queries, keys), theta), s.constant(byMemory)),
        s.reshape(usable, s.constant(byMemory)),
        s.reshape(s.tile(s.expandDims(words, s.constant(1)), s.constant(new int[] {1, steps, 1})),
            s.constant(byMemory)),
        s.reshape(targets, s.constant(new long[] {-1})));
  }

  /**
   * -log p_cache(y) where a usable memory holds y, else 0: TRIME's loss without vocabulary
   * entries (one -inf logit), with the memories' words recoded as 0 (the target) or 1.
   */
  private static <T extends TFloating> Operand<T> memoryLoss(Ops tf, Operand<T> sims,
      Operand<TBool> usable, Operand<TInt32> memoryWords, Operand<TInt32> y) {
    Operand<TBool> isTarget = tf.math.equal(memoryWords, tf.expandDims(y, tf.constant(-1)));
    Operand<TBool> some = tf.reduceAny(tf.math.logicalAnd(usable, isTarget), tf.constant(-1),
        ReduceAny.keepDims(true));
    Operand<TInt32> recoded = tf.dtypes.cast(tf.math.logicalNot(isTarget), TInt32.class);
    Operand<T> none = tf.fill(tf.stack(List.of(tf.gather(tf.shape(y), tf.constant(0), tf.constant(0)),
        tf.constant(1))), tf.dtypes.cast(tf.constant(Float.NEGATIVE_INFINITY), sims.type()));
    return CacheLosses.trimeLoss(tf, none, sims, tf.math.logicalAnd(usable, some), recoded,
        tf.zerosLike(y));
  }
}
