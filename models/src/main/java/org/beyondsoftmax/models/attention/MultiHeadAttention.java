package org.beyondsoftmax.models.attention;

import java.util.List;
import org.beyondsoftmax.models.nn.Dense;
import org.beyondsoftmax.models.nn.Parameter;
import org.beyondsoftmax.models.nn.Parameters;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TFloating;

/**
 * Multi-head self-attention (Vaswani et al. 2017) with any {@link AttentionNormaliser}: for x
 * [B, T, D] and H heads of d_k = D / H dimensions,
 *
 * <pre>
 *   [Q K V] = x W_qkv^T + b_qkv                    (W_qkv [3D, D]; each split into H heads [B, H, T, d_k])
 *   P_h = normalise(Q_h K_h^T / sqrt(d_k), mask)   ([B, H, T, T], over the keys)
 *   y = concat_h(P_h V_h) W_o^T + b_o              (W_o [D, D])
 * </pre>
 *
 * The mask says which keys each query may see (causal and padding masks, see {@link
 * Transformer}); a masked key gets weight exactly 0, a query without keys the output b_o.
 * Variables: {@code name_qkv_weights}, {@code name_qkv_bias}, {@code name_out_weights},
 * {@code name_out_bias}, and the normaliser's own (its scope, e.g. {@code entmax/alpha_raw}).
 */
public final class MultiHeadAttention<T extends TFloating> {
  private final int size;
  private final int heads;
  private final Parameters<T> params;
  private final Dense<T> qkv;
  private final Dense<T> out;
  private final AttentionNormaliser<T> normaliser;

  /**
   * @param size D, the model's width
   * @param heads H, which must divide D
   * @param normaliser the normaliser's spec, e.g. {@code Normalisers.parse("entmax:learn-alpha=true")}
   */
  public MultiHeadAttention(Parameters<T> params, String name, int size, int heads,
      Spec<AttentionFactory> normaliser) {
    if (size < 1 || heads < 1) {
      throw new IllegalArgumentException("size and heads must be >= 1, got " + size + ", " + heads);
    }
    if (size % heads != 0) {
      throw new IllegalArgumentException("the attention heads (" + heads + ") must divide the model's width ("
          + size + "): each head gets width / heads dimensions");
    }
    this.size = size;
    this.heads = heads;
    this.params = params;
    this.qkv = Dense.create(params, name + "_qkv", size, 3 * size, true);
    this.out = Dense.create(params, name + "_out", size, size, true);
    this.normaliser = Normalisers.create(normaliser,
        new AttentionConfig<>(params.ops().withSubScope(name), params.dtype(), heads, params.seed()));
  }

  public AttentionNormaliser<T> normaliser() {
    return normaliser;
  }

  /** The normaliser's variables (the projections' are in the {@link Parameters} given). */
  public List<Parameter<T>> normaliserParameters() {
    return normaliser.parameters();
  }

  /**
   * y [B, T, D] for x [B, T, D] (T and D static).
   *
   * @param mask boolean, broadcasting to [B, H, T, T] (query, key): [T, T], [B, 1, T, T], ...
   */
  public Operand<T> apply(Ops tf, Operand<T> x, Operand<TBool> mask) {
    Shape shape = x.shape();
    if (shape.isUnknown() || shape.numDimensions() != 3 || shape.get(1) == Shape.UNKNOWN_SIZE
        || shape.get(2) != size) {
      throw new IllegalArgumentException("x must have shape [B, T, " + size + "] with a static T, got " + shape);
    }
    long steps = shape.get(1);
    long width = size / heads;
    Ops s = tf.withSubScope("attention");
    Operand<T> rows = s.reshape(x, s.constant(new long[] {-1, size}));
    // [B T, 3D] -> [B, T, 3, H, d_k] -> [3, B, H, T, d_k]
    Operand<T> projected = s.reshape(qkv.apply(s, rows), s.constant(new long[] {-1, steps, 3, heads, width}));
    List<? extends Operand<T>> split = s.unstack(
        s.linalg.transpose(projected, s.constant(new int[] {2, 0, 3, 1, 4})), 3L, Unstack.axis(0L)).output();
    Operand<T> scores = s.math.mul(
        s.train.batchMatMul(split.get(0), split.get(1), x.type(), BatchMatMul.adjY(true)),
        params.scalar(s, 1 / Math.sqrt(width)));
    Operand<T> weights = normaliser.weights(s, scores, mask);
    Operand<T> mixed = s.train.batchMatMul(weights, split.get(2), x.type()); // [B, H, T, d_k]
    Operand<T> joined = s.reshape(s.linalg.transpose(mixed, s.constant(new int[] {0, 2, 1, 3})),
        s.constant(new long[] {-1, size}));
    return s.reshape(out.apply(s, joined), s.constant(new long[] {-1, steps, size}));
  }
}
