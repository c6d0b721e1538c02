package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * An embedding table [V, E] split by row range into shards that may live on different devices
 * (the input embedding of a large vocabulary on parameter servers, as lm_1b kept it: Jozefowicz et
 * al. 2016). Shard p holds the rows [o_p, o_p + V_p) and looks up, on its own device, the ids that
 * fall there:
 * <pre>
 *   x_p[n] = E_p[id_n − o_p] · 1[id_n ∈ p],      x = Σ_p x_p
 * </pre>
 * Gradient (a custom gradient, built on the shard's device): dE_p = Σ_n 1[id_n ∈ p] e_{id_n − o_p}
 * g_nᵀ (an unsorted segment sum), so the table's gradient is made where the table lives; only the
 * rows [N, E] cross between devices, in both directions. (TensorFlow's own gradient of the lookup
 * would be built on the default device, and the table's [V_p, E] gradient would cross to it.)
 */
public final class ShardedEmbedding {
  static final String LOOKUP_RULE = "sharded_embedding_lookup";

  static {
    // inputs [rows (N, E); table; local id (clipped into the shard); whether the shard holds it]
    CustomGradients.define(
        LOOKUP_RULE,
        (gradientScope, node, up) -> {
          Ops tf = DeviceScope.on(gradientScope, node.device());
          Operand<TNumber> g = CustomGradients.upstream(up, 0);
          Operand<TInt32> local = CustomGradients.input(node, 2);
          Operand<TBool> holds = CustomGradients.input(node, 3);
          int rows = (int) CustomGradients.intAttr(node, "rows");
          Operand<TNumber> kept = tf.select(tf.expandDims(holds, tf.constant(-1)), g, tf.zerosLike(g));
          return List.of(CustomGradients.passThrough(node, 0),
              tf.math.unsortedSegmentSum(kept, local, tf.constant(rows)),
              CustomGradients.passThrough(node, 2), CustomGradients.passThrough(node, 3));
        });
  }

  private ShardedEmbedding() {}

  /**
   * The rows of {@code table} (the shard holding the rows [offset, offset + V)) for the ids that
   * fall in it, zeros for the others: [N, E]. Build it on the shard's device
   * ({@code tf.withDevice(...)}); sum the shards' results for the lookup of the whole table.
   *
   * @param table [V, E] with V known, float32 or float64
   * @param ids [N], int32 or int64, ids of the whole table
   * @param offset the first row of the shard, in [0, 2^31 − V]
   */
  public static <T extends TNumber> Operand<T> lookupShard(
      Ops tf, Operand<T> table, Operand<? extends TNumber> ids, long offset) {
    Checks.floating("table", table);
    Checks.integer("ids", ids);
    Shape ts = table.shape();
    if (ts.isUnknown() || ts.numDimensions() != 2 || ts.get(0) < 1) {
      throw new IllegalArgumentException("table must have shape [rows, E] with the rows known, got " + ts);
    }
    if (ids.shape().isUnknown() || ids.shape().numDimensions() != 1) {
      throw new IllegalArgumentException("ids must have rank 1 [N], got shape " + ids.shape());
    }
    long rows = ts.get(0);
    if (offset < 0 || offset > Integer.MAX_VALUE - rows) {
      throw new IllegalArgumentException(
          "offset must be in [0, " + (Integer.MAX_VALUE - rows) + "] for a shard of " + rows + " rows, got " + offset);
    }
    Ops s = tf.withSubScope("lookupShard");
    Operand<TInt32> local = s.math.sub(s.dtypes.cast(ids, TInt32.class), s.constant((int) offset));
    Operand<TBool> holds = s.math.logicalAnd(
        s.math.greaterEqual(local, s.constant(0)), s.math.less(local, s.constant((int) rows)));
    Operand<TInt32> clipped = Rows.where0(s, holds, local);
    Operand<T> found = s.gather(s.stopGradient(table), clipped, s.constant(0));
    Operand<T> picked = s.select(s.expandDims(holds, s.constant(-1)), found, s.zerosLike(found));
    return CustomGradients.apply(s, LOOKUP_RULE, picked,
        List.of(table, s.stopGradient(clipped), s.stopGradient(holds)), Map.of("rows", rows));
  }
}
