package org.beyondsoftmax.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceAny;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TNumber;

/**
 * The neural cache (Grave, Joulin &amp; Usunier 2017, "Improving Neural Language Models with a
 * Continuous Cache", ICLR) as graph ops: a distribution over the words that followed the stored
 * hidden states most similar to the current one, mixed with any head's distribution, in log space.
 *
 * <p><b>Memories.</b> A memory i is a pair (key m_i, word w_i): the hidden state m_i = h_i at some
 * position i and the word x_{i+1} that followed it. A query is the hidden state h_t from which the
 * word x_{t+1} is predicted. The cache distribution of query t is
 *
 * <pre>
 *   p_cache(w | t) = sum_{i valid for t, w_i = w} exp(theta h_t.m_i)
 *                    / sum_{i valid for t} exp(theta h_t.m_i)
 * </pre>
 *
 * and the model's distribution is their linear interpolation
 *
 * <pre>
 *   p(w | t) = (1 - lambda) p_head(w | t) + lambda p_cache(w | t),
 *   log p = log((1 - lambda) exp(log p_head) + lambda exp(log p_cache))   (computed in log space)
 * </pre>
 *
 * A word outside a sparse head's support (log p_head = -inf) gets probability lambda p_cache from
 * the cache alone. Gradients are exact in theta, lambda, the queries, the keys and the head's
 * log-probabilities (the word ids take none).
 *
 * <p><b>Layouts.</b> Queries are [N, d] with their own memories keys [N, L, d], words [N, L] and
 * validity [N, L]; or [N, T, d]: T queries per row sharing that row's L memories (a BPTT window
 * over a memory of the last L states), validity [N, T, L]. Results are [N, V] or [N, T, V] over
 * the vocabulary, [N] or [N, T] per target.
 *
 * <p><b>Validity: no look-ahead.</b> Every op takes a bool {@code valid} per (query, memory): the
 * caller says which memories a query may use. A memory whose word is the query's own next word
 * (memory position i = t) or a later one must be invalid for it; {@link #causalMask} builds the
 * mask from positions (valid iff 0 &lt;= position of m_i &lt; position of h_t). Invalid memories
 * change nothing (values or gradients), whatever their keys and words. A query without any valid
 * memory has the cache distribution log p_cache = -inf everywhere (no NaN) and its mixture is the
 * head's distribution unchanged (lambda acts as 0 for it).
 *
 * <p><b>Parameters.</b> lambda in [0, 1] and theta &gt; 0 (finite) are scalars. As doubles they
 * are checked when the graph is built; as tensors (to learn them, or to feed a grid search) they
 * must have the dtype of the queries and rank 0, and the run fails with a TensorFlow error naming
 * the parameter when lambda is outside [0, 1] or theta is not finite and positive (learn them
 * through a sigmoid and a softplus). Memory words must be in [0, V) for every memory valid for some
 * query (checked at run time by the ops that build [.., V]; the word of a memory valid for no
 * query may be anything, e.g. -1 for an empty slot).
 *
 * <p><b>Cost.</b> One batched matmul [N, T, d] x [N, d, L]; the full distribution then mixes
 * the at most N·T·L (query, word) pairs the memories hold and writes them into one dense pass
 * log((1 - lambda) p_head) over [N·T, V] (see {@link WordLogSumExp}); nothing of size
 * [N, T, L, V] or [N, T, L, d] is built. The per-target ops work on [N, T, L] only.
 * float16/bfloat16 inputs are computed in float32 and cast back.
 */
public final class NeuralCache {
  private NeuralCache() {}

  /** A scalar parameter: a double (checked already) or a tensor (checked at run time). */
  private record Scalar(String name, double value, Operand<?> tensor) {
    /** The value in the compute dtype of {@code like}. */
    @SuppressWarnings("unchecked")
    Operand<TNumber> build(Ops tf, Operand<?> like) {
      if (tensor == null) {
        return (Operand<TNumber>) tf.dtypes.cast(tf.constant(value), CacheInputs.computeType(like));
      }
      return name.equals("lambda") ? CacheInputs.lambda(tf, tensor) : CacheInputs.theta(tf, tensor);
    }

    static Scalar lambda(double v) {
      CacheInputs.lambda(v);
      return new Scalar("lambda", v, null);
    }

    static Scalar theta(double v) {
      CacheInputs.theta(v);
      return new Scalar("theta", v, null);
    }

    static Scalar of(String name, Operand<?> t, Operand<?> queries) {
      CacheInputs.scalarParameter(name, t, queries);
      return new Scalar(name, Double.NaN, t);
    }
  }

  /**
   * The similarities h_t.m_i of queries and keys (no theta, no mask): [N, L] for queries [N, d],
   * [N, T, L] for [N, T, d], keys [N, L, d]. What {@link CacheLosses} takes (scaled as the caller
   * likes, e.g. by 1/sqrt(d) as HistAlign's TRIME code does).
   */
  public static <T extends TFloating> Operand<T> similarities(
      Ops tf, Operand<T> queries, Operand<T> keys) {
    CacheInputs.checkKeys(queries, keys);
    Ops s = tf.withSubScope("cacheSimilarities");
    boolean sequences = queries.shape().numDimensions() == 3;
    Operand<TNumber> q = CacheInputs.compute(s, queries);
    Operand<TNumber> dots = CacheInputs.dots(
        s, sequences ? q : s.expandDims(q, s.constant(1)), CacheInputs.compute(s, keys));
    return CacheInputs.castTo(
        s, sequences ? dots : s.squeeze(dots, Squeeze.axis(List.of(1L))), queries.type());
  }

  /**
   * Validity from positions, no look-ahead: valid = 0 &lt;= memoryPositions &lt; queryPositions.
   * The position of a memory is that of its key h_i (its word is x_{i+1}); the position of a query
   * h_t is t. A negative memory position marks an empty slot.
   *
   * @param queryPositions [N] or [N, T], integer
   * @param memoryPositions [N, L], integer
   * @return [N, L] or [N, T, L]
   */
  public static Operand<TBool> causalMask(
      Ops tf, Operand<? extends TNumber> queryPositions,
      Operand<? extends TNumber> memoryPositions) {
    Checks.integer("queryPositions", queryPositions);
    Checks.integer("memoryPositions", memoryPositions);
    int rank = queryPositions.shape().numDimensions();
    if (rank != 1 && rank != 2) {
      throw new IllegalArgumentException("queryPositions must have rank 1 ([N]) or 2 ([N, T]), got"
          + " shape " + queryPositions.shape());
    }
    CacheInputs.shape(
        "memoryPositions", memoryPositions, "[N, L]", queryPositions.shape().get(0), -1);
    Ops s = tf.withSubScope("causalMask");
    Operand<TInt64> q = s.expandDims(s.dtypes.cast(queryPositions, TInt64.class), s.constant(-1));
    Operand<TInt64> m = s.dtypes.cast(memoryPositions, TInt64.class);
    if (rank == 2) {
      m = s.expandDims(m, s.constant(1));
    }
    return s.math.logicalAnd(s.math.greaterEqual(m, s.zerosLike(m)), s.math.less(m, q));
  }

  /**
   * The cache distribution in log space over a vocabulary of V words:
   * log p_cache(w | t) = logsumexp_{i valid, w_i = w}(theta h_t.m_i) - logsumexp_{i valid}(theta
   * h_t.m_i); -inf where no valid memory holds w, and for every w where the query has no valid
   * memory. Exact in log space: a word held only by memories far below the best one gets its true
   * (tiny) log-probability, not -inf.
   *
   * @param queries [N, d] or [N, T, d]
   * @param keys [N, L, d], L &gt;= 1
   * @param memoryWords [N, L] integer, in [0, V) for every memory valid for some query
   * @param valid [N, L] or [N, T, L] bool
   * @param theta scalar, finite and &gt; 0, dtype of queries
   * @return [N, V] or [N, T, V]
   */
  public static <T extends TFloating> Operand<T> logCache(
      Ops tf, Operand<T> queries, Operand<T> keys, Operand<? extends TNumber> memoryWords,
      Operand<TBool> valid, Operand<T> theta, long vocabularySize) {
    return logCache(tf, queries, keys, memoryWords, valid, Scalar.of("theta", theta, queries),
        vocabularySize);
  }

  /** {@link #logCache} with a constant theta, finite and &gt; 0. */
  public static <T extends TFloating> Operand<T> logCache(
      Ops tf, Operand<T> queries, Operand<T> keys, Operand<? extends TNumber> memoryWords,
      Operand<TBool> valid, double theta, long vocabularySize) {
    return logCache(tf, queries, keys, memoryWords, valid, Scalar.theta(theta), vocabularySize);
  }

  private static <T extends TFloating> Operand<T> logCache(
      Ops tf, Operand<T> queries, Operand<T> keys, Operand<? extends TNumber> memoryWords,
      Operand<TBool> valid, Scalar theta, long vocabularySize) {
    CacheInputs.check(queries, keys, memoryWords, valid);
    Checks.atLeast("vocabularySize", vocabularySize, 1);
    Ops s = tf.withSubScope("logCache");
    CacheInputs in = CacheInputs.of(s, queries, keys, memoryWords, valid);
    Operand<TInt64> vocabulary = s.constant(vocabularySize);
    WordLogSumExp.Pairs<TNumber> pairs = cachePairs(s, in, theta.build(s, queries), vocabulary);
    Operand<TInt64> shape = in.shapeOver(vocabulary); // [N, T, V]
    Operand<TNumber> none = s.fill(
        s.reshape(s.reduceProd(shape, s.constant(0)), s.constant(new long[] {1})),
        LogSpace.minusInf(s, pairs.values()));
    return in.restore(
        s.reshape(WordLogSumExp.into(s, none, pairs.at(), pairs.values(), false), shape));
  }

  /**
   * The cache's log-probability of each query's target only, on [N, T, L] (no [.., V] tensor):
   * log p_cache(y_t | t) = logsumexp_{i valid, w_i = y_t}(theta h_t.m_i) - logsumexp_{i
   * valid}(theta h_t.m_i); -inf where no valid memory holds y_t.
   *
   * @param targets [N] or [N, T] integer (any value; one no memory holds gets -inf)
   * @return [N] or [N, T]
   */
  public static <T extends TFloating> Operand<T> logCacheOfTargets(
      Ops tf, Operand<T> queries, Operand<T> keys, Operand<? extends TNumber> memoryWords,
      Operand<TBool> valid, Operand<? extends TNumber> targets, Operand<T> theta) {
    return logCacheOfTargets(tf, queries, keys, memoryWords, valid, targets,
        Scalar.of("theta", theta, queries));
  }

  /** {@link #logCacheOfTargets} with a constant theta, finite and &gt; 0. */
  public static <T extends TFloating> Operand<T> logCacheOfTargets(
      Ops tf, Operand<T> queries, Operand<T> keys, Operand<? extends TNumber> memoryWords,
      Operand<TBool> valid, Operand<? extends TNumber> targets, double theta) {
    return logCacheOfTargets(tf, queries, keys, memoryWords, valid, targets, Scalar.theta(theta));
  }

  private static <T extends TFloating> Operand<T> logCacheOfTargets(
      Ops tf, Operand<T> queries, Operand<T> keys, Operand<? extends TNumber> memoryWords,
      Operand<TBool> valid, Operand<? extends TNumber> targets, Scalar theta) {
    CacheInputs.check(queries, keys, memoryWords, valid);
    CacheInputs.checkTargets("targets", targets, queries);
    Ops s = tf.withSubScope("logCacheOfTargets");
    CacheInputs in = CacheInputs.of(s, queries, keys, memoryWords, valid);
    return in.restore(cacheOfTargets(s, in, theta.build(s, queries), in.targets(targets)));
  }

  /**
   * The mixture of a head's distribution with a cache distribution, in log space:
   * log p = log((1 - lambda) exp(logPHead) + lambda exp(logPCache)) over the last axis; a row of
   * logPCache that is all -inf (a query without memories) leaves the head's row unchanged. Use it
   * to mix one cache distribution ({@link #logCache}) with several lambdas.
   *
   * @param logPHead [.., V] log-probabilities (-inf allowed: a sparse head)
   * @param logPCache the shape and dtype of logPHead
   * @param lambda scalar in [0, 1], dtype of logPHead
   */
  public static <T extends TFloating> Operand<T> logMixture(
      Ops tf, Operand<T> logPHead, Operand<T> logPCache, Operand<T> lambda) {
    return logMixture(tf, logPHead, logPCache, Scalar.of("lambda", lambda, logPHead));
  }

  /** {@link #logMixture} with a constant lambda in [0, 1]. */
  public static <T extends TFloating> Operand<T> logMixture(
      Ops tf, Operand<T> logPHead, Operand<T> logPCache, double lambda) {
    return logMixture(tf, logPHead, logPCache, Scalar.lambda(lambda));
  }

  private static <T extends TFloating> Operand<T> logMixture(
      Ops tf, Operand<T> logPHead, Operand<T> logPCache, Scalar lambda) {
    Checks.floating("logPHead", logPHead);
    if (logPHead.shape().numDimensions() < 1) {
      throw new IllegalArgumentException(
          "logPHead must have a known rank >= 1 ([.., V]), got shape " + logPHead.shape());
    }
    Checks.sameType("logPCache", logPCache, "logPHead", logPHead);
    CacheInputs.shape("logPCache", logPCache, "of logPHead", logPHead.shape().asArray());
    Ops s = tf.withSubScope("logMixture");
    Operand<TNumber> head = CacheInputs.compute(s, logPHead);
    Operand<TNumber> cache = CacheInputs.compute(s, logPCache);
    Operand<TBool> some = s.reduceAny(s.math.greater(cache, LogSpace.minusInf(s, cache)),
        s.constant(-1), ReduceAny.keepDims(true));
    Operand<TNumber> l = lambdaWhereCached(s, some, lambda.build(s, logPHead));
    return CacheInputs.castTo(s, LogSpace.mix(s, head, cache, l), logPHead.type());
  }

  /**
   * The head's distribution mixed with the cache, over the vocabulary, in log space:
   * log p(w | t) = log((1 - lambda) p_head(w | t) + lambda p_cache(w | t)), p_cache as in
   * {@link #logCache} with V the size of logPHead's last axis; the head alone for a query without
   * valid memories.
   *
   * @param logPHead [N, V] for queries [N, d], [N, T, V] for [N, T, d]; -inf allowed (a sparse
   *     head: such words get lambda p_cache)
   * @param lambda scalar in [0, 1]; theta scalar, finite and &gt; 0; both of the queries' dtype
   * @return the shape of logPHead
   */
  public static <T extends TFloating> Operand<T> logProbabilities(
      Ops tf, Operand<T> logPHead, Operand<T> queries, Operand<T> keys,
      Operand<? extends TNumber> memoryWords, Operand<TBool> valid, Operand<T> lambda,
      Operand<T> theta) {
    return logProbabilities(tf, logPHead, queries, keys, memoryWords, valid,
        Scalar.of("lambda", lambda, queries), Scalar.of("theta", theta, queries));
  }

  /** {@link #logProbabilities} with constants lambda in [0, 1] and theta &gt; 0. */
  public static <T extends TFloating> Operand<T> logProbabilities(
      Ops tf, Operand<T> logPHead, Operand<T> queries, Operand<T> keys,
      Operand<? extends TNumber> memoryWords, Operand<TBool> valid, double lambda, double theta) {
    return logProbabilities(tf, logPHead, queries, keys, memoryWords, valid,
        Scalar.lambda(lambda), Scalar.theta(theta));
  }

  private static <T extends TFloating> Operand<T> logProbabilities(
      Ops tf, Operand<T> logPHead, Operand<T> queries, Operand<T> keys,
      Operand<? extends TNumber> memoryWords, Operand<TBool> valid, Scalar lambda, Scalar theta) {
    CacheInputs.check(queries, keys, memoryWords, valid);
    CacheInputs.checkHead("logPHead", logPHead, queries, true);
    Ops s = tf.withSubScope("cacheLogProbabilities");
    CacheInputs in = CacheInputs.of(s, queries, keys, memoryWords, valid);
    Operand<TNumber> head = in.head(logPHead); // [N, T, V]
    Operand<TInt64> vocabulary = s.dtypes.cast(Rows.lastDim(s, head), TInt64.class);
    WordLogSumExp.Pairs<TNumber> pairs = cachePairs(s, in, theta.build(s, queries), vocabulary);
    Operand<TNumber> l = lambdaWhereCached(s, in.anyValid(), lambda.build(s, queries)); // [N, T]
    // words no memory holds: log((1 - lambda) p_head), one dense pass
    Operand<TNumber> flatHead = s.reshape(head, s.constant(new long[] {-1}));
    Operand<TNumber> base = s.reshape(
        s.math.add(head, s.expandDims(logOneMinus(s, l), s.constant(-1))),
        s.constant(new long[] {-1}));
    // the at most N·T·L words that memories hold: the full mixture
    Operand<TNumber> mixed = LogSpace.mix(s, s.gatherNd(flatHead, pairs.at()), pairs.values(),
        s.gather(s.reshape(l, s.constant(new long[] {-1})), pairs.rows(), s.constant(0)));
    return in.restore(
        s.reshape(WordLogSumExp.into(s, base, pairs.at(), mixed, true), s.shape(head)));
  }

  /**
   * The mixed log-probability of each query's target only, with no [.., V] tensor (what language
   * model evaluation needs): log p(y_t | t) = log((1 - lambda) p_head(y_t | t) + lambda
   * sum_{i valid, w_i = y_t} softmax_i(theta h_t.m)), the head's value where the query has no
   * valid memory.
   *
   * @param logPHeadOfTargets the head's log p_head(y_t | t): [N] for queries [N, d], [N, T] for
   *     [N, T, d]; -inf allowed (then the cache alone counts)
   * @param targets integer, the shape of logPHeadOfTargets
   * @return the shape of logPHeadOfTargets
   */
  public static <T extends TFloating> Operand<T> logProbabilitiesOfTargets(
      Ops tf, Operand<T> logPHeadOfTargets, Operand<T> queries, Operand<T> keys,
      Operand<? extends TNumber> memoryWords, Operand<TBool> valid,
      Operand<? extends TNumber> targets, Operand<T> lambda, Operand<T> theta) {
    return logProbabilitiesOfTargets(tf, logPHeadOfTargets, queries, keys, memoryWords, valid,
        targets, Scalar.of("lambda", lambda, queries), Scalar.of("theta", theta, queries));
  }

  /** {@link #logProbabilitiesOfTargets} with constants lambda in [0, 1] and theta &gt; 0. */
  public static <T extends TFloating> Operand<T> logProbabilitiesOfTargets(
      Ops tf, Operand<T> logPHeadOfTargets, Operand<T> queries, Operand<T> keys,
      Operand<? extends TNumber> memoryWords, Operand<TBool> valid,
      Operand<? extends TNumber> targets, double lambda, double theta) {
    return logProbabilitiesOfTargets(tf, logPHeadOfTargets, queries, keys, memoryWords, valid,
        targets, Scalar.lambda(lambda), Scalar.theta(theta));
  }

  private static <T extends TFloating> Operand<T> logProbabilitiesOfTargets(
      Ops tf, Operand<T> logPHeadOfTargets, Operand<T> queries, Operand<T> keys,
      Operand<? extends TNumber> memoryWords, Operand<TBool> valid,
      Operand<? extends TNumber> targets, Scalar lambda, Scalar theta) {
    CacheInputs.check(queries, keys, memoryWords, valid);
    CacheInputs.checkHead("logPHeadOfTargets", logPHeadOfTargets, queries, false);
    CacheInputs.checkTargets("targets", targets, queries);
    Ops s = tf.withSubScope("cacheLogProbabilitiesOfTargets");
    CacheInputs in = CacheInputs.of(s, queries, keys, memoryWords, valid);
    Operand<TNumber> cache =
        cacheOfTargets(s, in, theta.build(s, queries), in.targets(targets));
    Operand<TNumber> l = lambdaWhereCached(s, in.anyValid(), lambda.build(s, queries));
    return in.restore(LogSpace.mix(s, in.head(logPHeadOfTargets), cache, l));
  }

  /** The (row, word) pairs of the cache and log p_cache at each; rows are the N·T queries. */
  private static WordLogSumExp.Pairs<TNumber> cachePairs(
      Ops tf, CacheInputs in, Operand<TNumber> theta, Operand<TInt64> vocabulary) {
    Operand<TNumber> scores = in.scores(theta);
    Operand<TNumber> logZ = Rows.finite(tf, LogSpace.logSumExp(tf, scores, null)); // [N, T]
    Operand<TInt64> words = in.checkedWords(vocabulary);
    Operand<TInt64> ids = tf.math.add(tf.math.mul(in.rowIndex(), vocabulary),
        tf.select(in.valid, words, tf.zerosLike(words)));
    return WordLogSumExp.of(
        tf, scores, ids, tf.reshape(logZ, tf.constant(new long[] {-1})), vocabulary);
  }

  /** [N, T] log p_cache(y_t | t). */
  private static Operand<TNumber> cacheOfTargets(
      Ops tf, CacheInputs in, Operand<TNumber> theta, Operand<TInt64> targets) {
    Operand<TNumber> scores = in.scores(theta);
    Operand<TNumber> logZ = Rows.finite(tf, LogSpace.logSumExp(tf, scores, null));
    Operand<TBool> holds = tf.math.equal(in.words, tf.expandDims(targets, tf.constant(-1)));
    return tf.math.sub(LogSpace.logSumExp(tf, scores, holds), logZ);
  }

  /** lambda where the query has a cache distribution ({@code some}), else 0. */
  private static Operand<TNumber> lambdaWhereCached(
      Ops tf, Operand<TBool> some, Operand<TNumber> lambda) {
    return tf.select(some, lambda, tf.zerosLike(lambda));
  }

  /** log(1 - lambda); -inf with gradient 0 at lambda = 1 (where the words it scales have p = 0). */
  private static Operand<TNumber> logOneMinus(Ops tf, Operand<TNumber> lambda) {
    Operand<TBool> below = tf.math.less(lambda, Rows.scalar(tf, 1.0, lambda));
    Operand<TNumber> safe = tf.select(below, lambda, tf.zerosLike(lambda));
    return tf.select(below, tf.math.log1p(tf.math.neg(safe)), LogSpace.minusInf(tf, lambda));
  }
}
