package org.beyondsoftmax.models.nn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * The position-wise feed-forward layer of a Transformer block (Vaswani et al. 2017) with the GELU
 * of Hendrycks &amp; Gimpel 2016 (as in GPT-2 and BERT): for rows x [N, d],
 * y = GELU(x W1^T + b1) W2^T + b2, W1 [inner, d], W2 [d, inner], with the exact
 * GELU(u) = u Phi(u) = u (1 + erf(u / sqrt(2))) / 2. Two {@link Dense} layers, {@code name_in}
 * and {@code name_out}.
 */
public final class FeedForward<T extends TFloating> {
  private final Parameters<T> params;
  private final Dense<T> in;
  private final Dense<T> out;

  /**
   * @param size d, the size of the rows in and out
   * @param inner the hidden size (4 d in the Transformer)
   */
  public FeedForward(Parameters<T> params, String name, int size, int inner) {
    if (size < 1 || inner < 1) {
      throw new IllegalArgumentException("size and inner must be >= 1, got " + size + ", " + inner);
    }
    this.params = params;
    this.in = Dense.create(params, name + "_in", size, inner, true);
    this.out = Dense.create(params, name + "_out", inner, size, true);
  }

  /** x [N, d] to [N, d]. */
  public Operand<T> apply(Ops tf, Operand<T> x) {
    Ops s = tf.withSubScope("feedForward");
    return out.apply(s, gelu(s, in.apply(s, x)));
  }

  /** GELU(u) = u (1 + erf(u / sqrt(2))) / 2, exact (not the tanh approximation). */
  private Operand<T> gelu(Ops tf, Operand<T> u) {
    Operand<T> phi = tf.math.add(params.scalar(tf, 1), tf.math.erf(tf.math.mul(u, params.scalar(tf, Math.sqrt(0.5)))));
    return tf.math.mul(tf.math.mul(u, phi), params.scalar(tf, 0.5));
  }
}
