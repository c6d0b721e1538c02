package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Map;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * Scores of memories summed per word in log space, sparsely: for R rows of L scores s_ri with
 * words w_ri, the (row, word) pairs that some memory holds and at each
 * lse(r, w) = log sum_{i: w_ri = w} exp(s_ri), exact in log space (each pair is shifted by its own
 * largest score, so no word's mass underflows) and differentiable in s. There are at most R·L
 * such pairs, so an op over the vocabulary [R, V] only needs a dense pass for what is not in the
 * cache; {@link #into} writes the pairs' values into such a tensor.
 *
 * <p>The pairs are numbered once ({@code Unique} over the flat indices r·V + w: the first
 * version of the op, which has GPU kernels; {@code UniqueV2}, TF-Java's {@code tf.unique}, has
 * none in TensorFlow 2.18); the per-pair
 * maximum (gradient stopped) and sum are segment ops of size R·L. Nothing of size [R, L, V] is
 * built. Measured on 2 cores, [700, 100] scores into [700, 10000]: {@code ScatterNd} and a weighted
 * {@code DenseBincount} take about as long as filling the output; {@code UnsortedSegmentSum} and
 * {@code UnsortedSegmentMax} straight into [R·V] 5-10 times that; a one-hot matmul [R, L] x
 * [L, V] more again (and DenseBincount has no gradient in TensorFlow's C++ registry).
 */
final class WordLogSumExp {
  static final String INTO_RULE = "scatter_into";

  static {
    CustomGradients.define(INTO_RULE, WordLogSumExp::scatterIntoGradient);
  }

  /** The gradients of the rule {@link #INTO_RULE}; inputs [out, base, values [U], at [U, 1]]: out = base with out[at_u] = values_u. */
  private static List<Operand<?>> scatterIntoGradient(Ops tf, GraphOperation node, List<Output<?>> up) {
    Operand<TNumber> g = CustomGradients.upstream(up, 0);
    Operand<TInt64> at = CustomGradients.input(node, 3);
    Operand<TNumber> dValues = tf.gatherNd(g, at);
    Operand<?> dBase = CustomGradients.intAttr(node, "base_gradient") == 0
        ? CustomGradients.passThrough(node, 1)
        : tf.tensorScatterNdUpdate(g, at, tf.zerosLike(dValues));
    return List.of(CustomGradients.passThrough(node, 0), dBase, dValues,
        CustomGradients.passThrough(node, 3));
  }

  private WordLogSumExp() {}

  /**
   * The (row, word) pairs held by memories: {@code at} [U, 1] their flat indices r·V + w,
   * {@code rows} [U] their rows, {@code values} [U] the per-pair log-sum-exp minus the row's shift.
   */
  record Pairs<T extends TNumber>(Operand<TInt64> at, Operand<TInt64> rows, Operand<T> values) {}

  /**
   * @param scores [.., L] scores, -inf for memories to leave out
   * @param flatIds [.., L] int64 ids row·V + word, row the flat index of the leading dims; a
   *     left-out memory may have any word in [0, V) (its pair then gets -inf unless another memory
   *     holds it)
   * @param rowShift [R], finite: subtracted from every pair of row r (its log-normalizer)
   */
  static <T extends TNumber> Pairs<T> of(Ops tf, Operand<T> scores, Operand<TInt64> flatIds,
      Operand<T> rowShift, Operand<TInt64> vocabulary) {
    Operand<TInt64> ids = tf.reshape(flatIds, tf.constant(new long[] {-1}));
    Operand<T> s = tf.reshape(scores, tf.constant(new long[] {-1}));
    Operation pairs = tf.scope().opBuilder("Unique", "Unique").addInput(ids.asOutput())
        .setAttr("out_idx", DataType.DT_INT64).build();
    Operand<TInt64> present = pairs.output(0); // [U]
    Operand<TInt64> segment = pairs.output(1); // [R·L] -> [0, U)
    Operand<TInt64> count = tf.dtypes.cast(tf.size(present), TInt64.class);
    Operand<T> max =
        Rows.finite(tf, tf.math.unsortedSegmentMax(tf.stopGradient(s), segment, count));
    Operand<T> e = tf.math.exp(tf.math.sub(s, tf.gather(max, segment, tf.constant(0))));
    Operand<T> sum = tf.math.unsortedSegmentSum(e, segment, count);
    Operand<TInt64> rows = tf.math.floorDiv(present, vocabulary);
    Operand<T> shift = tf.math.sub(max, tf.gather(rowShift, rows, tf.constant(0)));
    return new Pairs<>(tf.stopGradient(tf.expandDims(present, tf.constant(-1))),
        tf.stopGradient(rows), LogSpace.log(tf, sum, shift));
  }

  /**
   * {@code base} (flat, [R·V]) with the pairs' entries replaced by {@code values} [U]; gradient
   * g at the pairs to the values, g elsewhere to the base (none when {@code baseGradient} is
   * false: a constant base).
   */
  static <T extends TNumber> Operand<T> into(
      Ops tf, Operand<T> base, Operand<TInt64> at, Operand<T> values, boolean baseGradient) {
    Operand<T> out = tf.tensorScatterNdUpdate(tf.stopGradient(base), at, tf.stopGradient(values));
    return CustomGradients.apply(tf, INTO_RULE, out,
        List.of(baseGradient ? base : tf.stopGradient(base), values, at),
        Map.of("base_gradient", baseGradient ? 1L : 0L));
  }
}
