package org.beyondsoftmax.models.attention;

import java.util.ArrayList;
import java.util.List;
import org.beyondsoftmax.models.nn.Dropout;
import org.beyondsoftmax.models.nn.FeedForward;
import org.beyondsoftmax.models.nn.LayerNorm;
import org.beyondsoftmax.models.nn.Parameter;
import org.beyondsoftmax.models.nn.Parameters;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Cumsum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * A causal Transformer stack of L pre-LayerNorm blocks (Vaswani et al. 2017; the pre-LN order of
 * GPT-2 and Xiong et al. 2020) with learned positions, for x [B, T, D] (token embeddings):
 *
 * <pre>
 *   h_0 = dropout(x + P[pos])                          (P [positions, D], learned)
 *   a_l = h_l + dropout(MHA_l(LN_l1(h_l), mask))         (any {@link AttentionNormaliser})
 *   h_{l+1} = a_l + dropout(FFN_l(LN_l2(a_l)))           (GELU, inner size 4 D)
 *   y = LN_f(h_L)
 * </pre>
 *
 * <b>Positions and masks.</b> A position of weight 0 (left padding of a short prompt, the end of
 * the last batch) is masked as a key, and the others count positions from the first of weight 1:
 * pos_t = (number of weight-1 positions up to t) - 1, so a prompt left-padded to any length gives
 * the outputs of the prompt alone at its positions. Query t sees the keys s &lt;= t of weight 1
 * (causal); a query without any (padding before the prompt) gets attention output 0 from the
 * normaliser and is not used. There is no state between windows: each window of T positions is
 * its own context.
 *
 * <p>Dropout (one rate): on h_0 and on each sub-layer's output before it is added (Vaswani et
 * al.'s residual dropout), sites 0 and 1 + 2 l, 2 + 2 l of {@link Dropout}.
 */
public final class Transformer<T extends TFloating> {
  /** The feed-forward layer's inner size per unit of width (4, as in Vaswani et al. 2017). */
  public static final int FEED_FORWARD_RATIO = 4;

  private record Block<T extends TFloating>(
      LayerNorm<T> attentionNorm, MultiHeadAttention<T> attention, LayerNorm<T> feedForwardNorm,
      FeedForward<T> feedForward) {}

  private final Parameters<T> params;
  private final int size;
  private final int positions;
  private final Operand<T> positionEmbedding;
  private final List<Block<T>> blocks = new ArrayList<>();
  private final LayerNorm<T> finalNorm;

  /**
   * Creates the variables {@code positions} [positions, D], and per block l {@code blockL_*}
   * (layer norms, attention, feed-forward), and {@code final_norm_*}.
   *
   * @param params where the variables go (their scope and seed)
   * @param size D, the width (of embeddings and every block)
   * @param layers L &gt;= 1
   * @param heads H, which must divide D
   * @param positions the longest input, T &lt;= positions
   * @param normaliser the attention normaliser of every block
   */
  public Transformer(Parameters<T> params, int size, int layers, int heads, int positions,
      Spec<AttentionFactory> normaliser) {
    if (size < 1 || layers < 1 || positions < 1) {
      throw new IllegalArgumentException(
          "size, layers and positions must be >= 1, got " + size + ", " + layers + ", " + positions);
    }
    if (1 + 2 * layers > Dropout.SITES) {
      throw new IllegalArgumentException("layers must be at most " + (Dropout.SITES - 1) / 2 + ", got " + layers);
    }
    this.params = params;
    this.size = size;
    this.positions = positions;
    this.positionEmbedding = params.uniform("positions", Shape.of(positions, size), -0.1, 0.1);
    for (int l = 0; l < layers; l++) {
      String b = "block" + l + "_";
      blocks.add(new Block<>(new LayerNorm<>(params, b + "attention_norm", size),
          new MultiHeadAttention<>(params, b + "attention", size, heads, normaliser),
          new LayerNorm<>(params, b + "feed_forward_norm", size),
          new FeedForward<>(params, b + "feed_forward", size, FEED_FORWARD_RATIO * size)));
    }
    this.finalNorm = new LayerNorm<>(params, "final_norm", size);
  }

  public int positions() {
    return positions;
  }

  public int layers() {
    return blocks.size();
  }

  /** The attention of block {@code layer}, e.g. for its normaliser's per-head values. */
  public MultiHeadAttention<T> attention(int layer) {
    return blocks.get(layer).attention();
  }

  /** Every trained variable: the {@link Parameters} given, and the normalisers'. */
  public List<Parameter<T>> parameters() {
    List<Parameter<T>> all = new ArrayList<>(params.all());
    blocks.forEach(b -> all.addAll(b.attention().normaliserParameters()));
    return all;
  }

  /**
   * y [B, T, D] for token embeddings x [B, T, D] (T static, at most {@link #positions()}).
   *
   * @param weights [B, T] of 0/1, or null for all ones: positions of weight 0 are masked as keys
   *     and not counted as positions
   * @param dropout null for none (inference)
   */
  public Operand<T> apply(Ops tf, Operand<T> x, Operand<T> weights, Dropout<T> dropout) {
    Shape shape = x.shape();
    if (shape.isUnknown() || shape.numDimensions() != 3 || shape.get(1) == Shape.UNKNOWN_SIZE
        || shape.get(2) != size) {
      throw new IllegalArgumentException("x must have shape [B, T, " + size + "] with a static T, got " + shape);
    }
    int steps = (int) shape.get(1);
    if (steps > positions) {
      throw new IllegalArgumentException("the Transformer has " + positions + " learned positions: inputs may "
          + "have at most " + positions + " steps, got " + steps);
    }
    Ops s = tf.withSubScope("transformer");
    Operand<TBool> causal = s.constant(causalMask(steps));
    Operand<TBool> mask;
    Operand<T> h;
    if (weights == null) {
      mask = causal;
      h = s.math.add(x, s.slice(positionEmbedding, s.constant(new int[] {0, 0}), s.constant(new int[] {steps, -1})));
    } else {
      Operand<TBool> keys = s.math.greater(weights, params.scalar(s, 0)); // [B, T]
      Operand<TInt32> count = s.math.cumsum(s.dtypes.cast(keys, TInt32.class), s.constant(1), Cumsum.exclusive(false));
      Operand<TInt32> pos = s.math.maximum(s.math.sub(count, s.constant(1)), s.constant(0));
      h = s.math.add(x, s.gather(positionEmbedding, pos, s.constant(0)));
      // [T, T] and [B, 1, 1, T] -> [B, 1, T, T]
      mask = s.math.logicalAnd(causal, s.reshape(keys, s.constant(new long[] {-1, 1, 1, steps})));
    }
    if (dropout != null) {
      h = dropout.apply(s, h, 0);
    }
    for (int l = 0; l < blocks.size(); l++) {
      Block<T> b = blocks.get(l);
      Ops bs = s.withSubScope("block" + l);
      Operand<T> a = b.attention().apply(bs, b.attentionNorm().apply(bs, h), mask);
      h = bs.math.add(h, dropout == null ? a : dropout.apply(bs, a, 1 + 2 * l));
      Operand<T> rows = bs.reshape(b.feedForwardNorm().apply(bs, h), bs.constant(new long[] {-1, size}));
      Operand<T> f = bs.reshape(b.feedForward().apply(bs, rows), bs.constant(new long[] {-1, steps, size}));
      h = bs.math.add(h, dropout == null ? f : dropout.apply(bs, f, 2 + 2 * l));
    }
    return finalNorm.apply(s, h);
  }

  /** [T, T]: true where key s &lt;= query t. */
  private static boolean[][] causalMask(int steps) {
    boolean[][] m = new boolean[steps][steps];
    for (int t = 0; t < steps; t++) {
      for (int k = 0; k <= t; k++) {
        m[t][k] = true;
      }
    }
    return m;
  }
}
