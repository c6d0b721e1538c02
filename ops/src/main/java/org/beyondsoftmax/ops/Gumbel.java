package org.beyondsoftmax.ops;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * Gumbel perturbations (Gumbel 1954; Maddison et al. 2017; Jang et al. 2017) on the last axis:
 * G = -log(-log U), U ~ Uniform(0, 1). argmax(x + G) is an exact sample of softmax(x); softmax((x
 * + G)/tau) is its Gumbel-softmax relaxation. The noise is a stateful, seeded RandomUniform: each
 * session run draws new noise, and a graph built with the same seed repeats the same sequence.
 */
final class Gumbel {
  private Gumbel() {}

  static <T extends TNumber> Operand<T> noise(Ops tf, Operand<T> like, long seed) {
    Operand<TFloat32> u =
        tf.random.randomUniform(
            tf.shape(tf.stopGradient(like)), TFloat32.class, RandomUniform.seed(seed), RandomUniform.seed2(seed ^ 0x5DEECE66DL));
    Operand<T> uu = tf.dtypes.cast(u, like.type());
    Operand<T> tiny = Rows.scalar(tf, 1e-20, like);
    uu = tf.math.maximum(uu, tiny);
    return tf.math.neg(tf.math.log(tf.math.neg(tf.math.log(uu))));
  }

  static <T extends TNumber> Operand<TInt32> argmaxSample(Ops tf, Operand<T> x, long seed) {
    Operand<T> perturbed = tf.math.add(tf.stopGradient(x), noise(tf, x, seed));
    return tf.math.argMax(perturbed, Rows.last(tf), TInt32.class);
  }

  /** softmax((x + G)/tau); when hard, the one-hot of its argmax with the soft gradient. */
  static <T extends TNumber> Operand<T> softmax(
      Ops tf, Operand<T> x, double tau, boolean hard, long seed) {
    return softmax(tf, x, noise(tf, x, seed), tau, hard);
  }

  /** The same with given noise (tests use fixed noise to check gradients). */
  static <T extends TNumber> Operand<T> softmax(
      Ops tf, Operand<T> x, Operand<T> noise, double tau, boolean hard) {
    Operand<T> y = Softmax.softmax(tf, tf.math.div(tf.math.add(x, noise), Rows.scalar(tf, tau, x)));
    if (!hard) {
      return y;
    }
    Operand<TInt32> idx = tf.math.argMax(tf.stopGradient(y), Rows.last(tf), TInt32.class);
    Operand<T> oneHot =
        tf.oneHot(idx, Rows.lastDim(tf, x), Rows.scalar(tf, 1.0, x), Rows.scalar(tf, 0.0, x));
    // straight-through: the value of the one-hot, the gradient of y
    return tf.math.add(tf.stopGradient(tf.math.sub(oneHot, y)), y);
  }
}
