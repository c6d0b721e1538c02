package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * Losses that train a model together with its cache of memories (see {@link NeuralCache} for
 * memories and validity): TRIME's joint softmax over the vocabulary and the memories, and
 * HistAlign's order-informed contrastive margin loss that aligns queries with the memories of the
 * right word.
 *
 * <p>Both take the similarities of N queries to L memories, [N, L] (e.g.
 * {@link NeuralCache#similarities}, scaled as the caller likes), a bool {@code valid} [N, L] (which
 * memories each query may use: no look-ahead), the memories' words [N, L] and the targets [N]. For
 * T queries per row sharing L memories, reshape the [N, T, L] similarities and validity to
 * [N·T, L] and broadcast the words to [N·T, L]. Invalid similarities may hold anything finite or
 * -inf; they change nothing.
 */
public final class CacheLosses {
  /** HistAlign's default margin per rank step (Wan et al. 2023, released code). */
  public static final double HISTALIGN_MARGIN = 0.001;
  /** HistAlign's default weight of the margin loss next to the TRIME loss (released code). */
  public static final double HISTALIGN_WEIGHT = 1.0;

  private CacheLosses() {}

  /**
   * TRIME's training objective (Zhong, Lei &amp; Chen 2022, "Training Language Models with Memory
   * Augmentation", EMNLP; as HistAlign's released code computes it): one softmax over the V
   * vocabulary logits and the valid memory similarities, and the loss is minus the log of the
   * mass on the target word, from the vocabulary entry and from every valid memory holding it:
   *
   * <pre>
   *   L = logsumexp({z_v : v &lt; V} + {s_i : valid_i})
   *       - logsumexp({z_y} + {s_i : valid_i, w_i = y})
   * </pre>
   *
   * Without valid memories this is the cross-entropy; a target with z_y = -inf and no memory of
   * it gives +inf; a query whose logits are all -inf and that has no valid memory gives 0 (no
   * distribution), with gradient 0. Gradients are exact in z and s (autodiff through masked
   * log-sum-exps; no [N, L, V] tensor).
   *
   * @param logits [N, V] vocabulary logits (-inf masks allowed)
   * @param similarities [N, L] memory logits, the dtype of logits
   * @param valid [N, L] bool
   * @param memoryWords [N, L] integer (any value where invalid)
   * @param targets [N] integer in [0, V) (checked when the graph runs)
   * @return [N] loss per query (reduce it, and drop padding queries, with your weights)
   */
  public static <T extends TFloating> Operand<T> trimeLoss(
      Ops tf, Operand<T> logits, Operand<T> similarities, Operand<TBool> valid,
      Operand<? extends TNumber> memoryWords, Operand<? extends TNumber> targets) {
    Checks.floating("logits", logits);
    CacheInputs.shape("logits", logits, "[N, V]", -1, -1);
    if (logits.shape().get(1) == 0) {
      throw new IllegalArgumentException(
          "logits must hold V >= 1 words ([N, V]), got shape " + logits.shape());
    }
    checkMemories(similarities, "logits", logits, valid, memoryWords, targets);
    Ops s = tf.withSubScope("trimeLoss");
    Operand<TNumber> z = CacheInputs.compute(s, logits);
    Operand<TNumber> sims = CacheInputs.compute(s, similarities);
    Labels<?> y = Labels.of(s, targets, Rows.lastDim(s, z), Optional.empty());
    Operand<TBool> holds = holds(s, valid, memoryWords, y.safe);
    Operand<TNumber> all = LogSpace.add(
        s, LogSpace.logSumExp(s, z, null), LogSpace.logSumExp(s, sims, valid));
    Operand<TNumber> target = LogSpace.add(s, y.pick(s, z), LogSpace.logSumExp(s, sims, holds));
    Operand<TBool> some = s.math.greater(all, LogSpace.minusInf(s, all));
    Operand<TNumber> loss = s.math.sub(Rows.finite(s, all), target);
    return CacheInputs.castTo(s, s.select(some, loss, s.zerosLike(loss)), logits.type());
  }

  /**
   * HistAlign's order-informed contrastive margin loss (Wan, Zhang &amp; Bansal 2023, "HistAlign:
   * Improving Context Dependency in Language Generation by Aligning with History"; the formula of
   * their released code, github.com/meetdavidwan/histalign, {@code src/modeling/modeling_gpt2.py},
   * {@code GPT2LMHeadModelWithHistALign.calc_loss}, which adds it to the TRIME loss). For query n
   * with target y_n, the valid memories are ranked: the positives P_n (w_i = y_n) first, then the
   * negatives Q_n by decreasing {@code order} (HistAlign: the cosine between the word embeddings
   * of w_i and y_n, see {@link #embeddingCosines}); ties go to the lower memory index, rank_n(i)
   * counts from 0. Every pair of a positive p and a negative q at rank distance
   * k = rank_n(q) - rank_n(p) &gt;= 1 must be separated by k margins:
   *
   * <pre>
   *   l(n, p, q) = max(0, s_nq - s_np + k margin)
   *   L = (1 / |K|) sum_{k in K} mean_{(n, p, q) at distance k} l(n, p, q)
   * </pre>
   *
   * where K is the set of distances with at least one pair over the whole batch: each distance is
   * averaged over the batch first, then the distances are averaged (as the released code does).
   * Queries without a valid positive contribute nothing (their target, e.g. an ignored label, is
   * held by no valid memory). The model's loss is the TRIME loss plus {@link #HISTALIGN_WEIGHT}
   * times this.
   *
   * <p>Where this differs from the released code: ranks count valid memories only (the code sorts
   * all positions, so masked future and padding positions take rank slots and stretch the
   * margins); ties in the order (all positives share cosine 1) go to the lower memory index
   * (the code's {@code argsort} leaves them unspecified); no pair at all gives 0 (the code's
   * {@code torch.stack} of an empty list raises). Memory O(N L^2): pairs are formed in one
   * [N, L, L] block.
   *
   * @param similarities [N, L] (the code uses h.m / sqrt(d), the similarities of TRIME)
   * @param order [N, L], the dtype of similarities: how close each memory's word is to the target
   *     (higher is closer); only its ranking matters (no gradient)
   * @param margin the margin per rank step, finite and &gt;= 0 ({@link #HISTALIGN_MARGIN})
   * @return a scalar
   */
  public static <T extends TFloating> Operand<T> histAlignLoss(
      Ops tf, Operand<T> similarities, Operand<TBool> valid, Operand<? extends TNumber> memoryWords,
      Operand<? extends TNumber> targets, Operand<T> order, double margin) {
    checkMemories(similarities, null, null, valid, memoryWords, targets);
    Checks.sameType("order", order, "similarities", similarities);
    CacheInputs.shape("order", order, "[N, L] of similarities", similarities.shape().asArray());
    Checks.finite("margin", margin);
    if (margin < 0) {
      throw new IllegalArgumentException("margin must be >= 0, got " + margin);
    }
    Ops s = tf.withSubScope("histAlignLoss");
    Operand<TNumber> sims = CacheInputs.compute(s, similarities);
    sims = s.select(valid, sims, s.zerosLike(sims)); // no inf - inf in the pairs
    Operand<TNumber> o = s.stopGradient(CacheInputs.compute(s, order));
    Operand<TBool> pos = holds(s, valid, memoryWords, s.dtypes.cast(targets, TInt64.class));
    Operand<TBool> neg = s.math.logicalAnd(valid, s.math.logicalNot(pos));
    Operand<TInt64> rank = ranks(s, valid, pos, o);
    // pairs [N, p, q]: p a positive, q a negative
    Operand<TBool> pairs = s.math.logicalAnd(column(s, pos), row(s, neg));
    Operand<TInt64> gap = s.math.sub(row(s, rank), column(s, rank));
    Operand<TInt64> distance = s.select(pairs, gap, s.zerosLike(gap));
    Operand<TNumber> hinge = s.nn.relu(s.math.add(
        s.math.sub(row(s, sims), column(s, sims)),
        s.math.mul(s.dtypes.cast(distance, sims.type()), Rows.scalar(s, margin, sims))));
    Operand<TNumber> weights = pairWeights(s, pairs, distance, sims);
    Operand<TNumber> loss =
        s.reduceSum(s.math.mul(weights, hinge), s.constant(new int[] {0, 1, 2}));
    return CacheInputs.castTo(s, loss, similarities.type());
  }

  /** {@link #histAlignLoss} with HistAlign's default margin {@link #HISTALIGN_MARGIN}. */
  public static <T extends TFloating> Operand<T> histAlignLoss(
      Ops tf, Operand<T> similarities, Operand<TBool> valid, Operand<? extends TNumber> memoryWords,
      Operand<? extends TNumber> targets, Operand<T> order) {
    return histAlignLoss(tf, similarities, valid, memoryWords, targets, order, HISTALIGN_MARGIN);
  }

  /**
   * HistAlign's order of the memories: cos(E[y_n], E[w_ni]), the cosine between the embeddings of
   * the target and of each memory's word (gradient stopped). A word or target outside [0, V) (an
   * empty slot, an ignored label) gets 0. Gathers [N, L, e] embedding rows.
   *
   * @param embeddings [V, e] word embeddings (HistAlign: the model's input embeddings)
   * @param targets [N] integer
   * @param memoryWords [N, L] integer
   * @return [N, L], the dtype of embeddings
   */
  public static <T extends TFloating> Operand<T> embeddingCosines(
      Ops tf, Operand<T> embeddings, Operand<? extends TNumber> targets,
      Operand<? extends TNumber> memoryWords) {
    Checks.floating("embeddings", embeddings);
    CacheInputs.shape("embeddings", embeddings, "[V, e]", -1, -1);
    Checks.integer("targets", targets);
    CacheInputs.shape("targets", targets, "[N]", -1);
    Checks.integer("memoryWords", memoryWords);
    CacheInputs.shape("memoryWords", memoryWords, "[N, L]", targets.shape().get(0), -1);
    Ops s = tf.withSubScope("embeddingCosines");
    Operand<TNumber> e = s.stopGradient(CacheInputs.compute(s, embeddings));
    Operand<TInt64> v =
        s.dtypes.cast(s.gather(s.shape(e), s.constant(0), s.constant(0)), TInt64.class);
    Operand<TNumber> ey = unitRows(s, e, s.dtypes.cast(targets, TInt64.class), v); // [N, e]
    Operand<TNumber> ew = unitRows(s, e, s.dtypes.cast(memoryWords, TInt64.class), v); // [N, L, e]
    Operand<TNumber> cos = s.squeeze(
        CacheInputs.dots(s, ew, s.expandDims(ey, s.constant(1))),
        Squeeze.axis(List.of(-1L)));
    return CacheInputs.castTo(s, cos, embeddings.type());
  }

  /** Rows ids of e scaled to unit norm; 0 for ids outside [0, V) and for zero rows. */
  private static Operand<TNumber> unitRows(
      Ops tf, Operand<TNumber> e, Operand<TInt64> ids, Operand<TInt64> v) {
    Operand<TBool> in = tf.math.logicalAnd(
        tf.math.greaterEqual(ids, tf.zerosLike(ids)), tf.math.less(ids, v));
    Operand<TNumber> rows = tf.gather(e, tf.select(in, ids, tf.zerosLike(ids)), tf.constant(0));
    Operand<TNumber> norm2 = tf.reduceSum(
        tf.math.square(rows), tf.constant(-1), ReduceSum.keepDims(true));
    Operand<TNumber> unit = tf.math.mul(rows, tf.math.rsqrt(
        tf.math.maximum(norm2, Rows.scalar(tf, Double.MIN_NORMAL, norm2))));
    return tf.select(tf.expandDims(in, tf.constant(-1)), unit, tf.zerosLike(unit));
  }

  /**
   * rank[n, i]: the number of valid memories j ranked before i: positives before negatives, then
   * higher order first, then lower index.
   */
  private static Operand<TInt64> ranks(
      Ops tf, Operand<TBool> valid, Operand<TBool> pos, Operand<TNumber> order) {
    // [N, i, j]: j (last axis) before i (middle axis)
    Operand<TBool> pj = row(tf, pos);
    Operand<TBool> pi = column(tf, pos);
    Operand<TNumber> oj = row(tf, order);
    Operand<TNumber> oi = column(tf, order);
    Operand<TInt32> index = tf.range(tf.constant(0), Rows.lastDim(tf, valid), tf.constant(1));
    Operand<TBool> lowerIndex = tf.math.less(
        tf.expandDims(index, tf.constant(0)), tf.expandDims(index, tf.constant(-1))); // [i, j]
    Operand<TBool> sameClass = tf.math.equal(pj, pi);
    Operand<TBool> earlier = tf.math.logicalOr(tf.math.greater(oj, oi),
        tf.math.logicalAnd(tf.math.equal(oj, oi), lowerIndex));
    Operand<TBool> before = tf.math.logicalOr(
        tf.math.logicalAnd(pj, tf.math.logicalNot(pi)), tf.math.logicalAnd(sameClass, earlier));
    before = tf.math.logicalAnd(before, row(tf, valid));
    return tf.reduceSum(tf.dtypes.cast(before, TInt64.class), tf.constant(-1));
  }

  /**
   * 1 / (|K| count_k) for each pair at distance k, 0 elsewhere: the mean over the pairs at each
   * distance, then over the distances K that have pairs (a constant: no gradient).
   */
  private static Operand<TNumber> pairWeights(
      Ops tf, Operand<TBool> pairs, Operand<TInt64> distance, Operand<TNumber> like) {
    Operand<TNumber> one = tf.dtypes.cast(pairs, like.type());
    Operand<TInt64> flatDistance = tf.reshape(distance, tf.constant(new long[] {-1}));
    Operand<TInt64> slots =
        tf.math.add(tf.dtypes.cast(Rows.lastDim(tf, pairs), TInt64.class), tf.constant(1L));
    Operand<TNumber> counts = tf.math.unsortedSegmentSum(
        tf.reshape(one, tf.constant(new long[] {-1})), flatDistance, slots); // [L + 1]; k in [1, L)
    Operand<TNumber> distances = tf.reduceSum(
        tf.dtypes.cast(tf.math.greater(counts, tf.zerosLike(counts)), like.type()), tf.constant(0));
    Operand<TNumber> perPair = tf.reshape(
        tf.gather(counts, flatDistance, tf.constant(0)), tf.shape(distance));
    return tf.stopGradient(tf.math.divNoNan(one, tf.math.mul(perPair, distances)));
  }

  /** [N, L] valid memories holding the target: valid and w_i = y. */
  private static Operand<TBool> holds(
      Ops tf, Operand<TBool> valid, Operand<? extends TNumber> words, Operand<?> targets) {
    Operand<TInt64> w = tf.dtypes.cast(words, TInt64.class);
    Operand<TInt64> y = tf.expandDims(tf.dtypes.cast(targets, TInt64.class), tf.constant(-1));
    return tf.math.logicalAnd(valid, tf.math.equal(w, y));
  }

  /** x[n, j] as [N, 1, L]: varies along the last axis. */
  private static <U extends TType> Operand<U> row(Ops tf, Operand<U> x) {
    return tf.expandDims(x, tf.constant(1));
  }

  /** x[n, i] as [N, L, 1]: varies along the middle axis. */
  private static <U extends TType> Operand<U> column(Ops tf, Operand<U> x) {
    return tf.expandDims(x, tf.constant(-1));
  }

  /** Validates similarities [N, L] (L &gt;= 1), valid, memoryWords [N, L] and targets [N]. */
  private static void checkMemories(Operand<?> similarities, String likeName, Operand<?> like,
      Operand<?> valid, Operand<?> memoryWords, Operand<?> targets) {
    long n = -1;
    if (like == null) {
      Checks.floating("similarities", similarities);
    } else {
      Checks.sameType("similarities", similarities, likeName, like);
      n = like.shape().get(0);
    }
    CacheInputs.shape("similarities", similarities, "[N, L]", n, -1);
    long l = similarities.shape().get(1);
    if (l == 0) {
      throw new IllegalArgumentException(
          "similarities must hold L >= 1 memories ([N, L]), got shape " + similarities.shape());
    }
    n = n >= 0 ? n : similarities.shape().get(0);
    CacheInputs.bool("valid", valid);
    CacheInputs.shape("valid", valid, "[N, L] of similarities", n, l);
    Checks.integer("memoryWords", memoryWords);
    CacheInputs.shape("memoryWords", memoryWords, "[N, L] of similarities", n, l);
    Checks.integer("targets", targets);
    CacheInputs.shape("targets", targets, "[N]", n);
  }
}
