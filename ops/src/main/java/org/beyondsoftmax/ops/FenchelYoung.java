package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * Fenchel-Young losses (Blondel, Martins &amp; Niculae 2020) in stop-gradient form, per row of
 * [R, M] logits: L(z; y) = sum_j p_j z_j + H(p) - z_y with p = mapping(z) held constant, whose
 * gradient is p - onehot(y). Cross-entropy is the case p = softmax(z), H = Shannon entropy, computed
 * as logsumexp(z) - z_y. The gradient is one custom rule: dz = p g, then g subtracted at the labels
 * in place (no one-hot tensor).
 */
final class FenchelYoung {
  static final String RULE = "fenchel_young";
  static final String SOFTMAX_RULE = "softmax_cross_entropy";

  static {
    // inputs: [loss, z, p, indices]
    CustomGradients.define(
        RULE,
        (tf, node, up) -> {
          Operand<TNumber> p = (Operand<TNumber>) (Operand<?>) node.input(2);
          return List.of(
              CustomGradients.passThrough(node, 0),
              minusOneHot(tf, p, node.input(3), (Operand<TNumber>) (Operand<?>) up.get(0)),
              CustomGradients.passThrough(node, 2),
              CustomGradients.passThrough(node, 3));
        });
    // inputs: [loss, z, logsumexp(z) (finite), indices]
    CustomGradients.define(
        SOFTMAX_RULE,
        (tf, node, up) -> {
          Operand<TNumber> z = (Operand<TNumber>) (Operand<?>) node.input(1);
          Operand<TNumber> lse = (Operand<TNumber>) (Operand<?>) node.input(2);
          Operand<TNumber> p = tf.math.exp(tf.math.sub(z, lse));
          return List.of(
              CustomGradients.passThrough(node, 0),
              minusOneHot(tf, p, node.input(3), (Operand<TNumber>) (Operand<?>) up.get(0)),
              CustomGradients.passThrough(node, 2),
              CustomGradients.passThrough(node, 3));
        });
  }

  private FenchelYoung() {}

  /** (p - onehot(y)) g for [R, M] p, [R] g, [R, 2] (row, label) indices. */
  private static <T extends TNumber> Operand<T> minusOneHot(
      Ops tf, Operand<T> p, Operand<?> indices, Operand<T> g) {
    Operand<T> scaled = tf.math.mul(p, tf.expandDims(g, tf.constant(-1)));
    return tf.tensorScatterNdSub(scaled, (Operand<TNumber>) indices, g);
  }

  /** Cross-entropy logsumexp(z) - z_y per row; +inf when z_y is -inf. */
  static <T extends TNumber> Operand<T> crossEntropy(Ops tf, Operand<T> z, Labels<?> labels) {
    Operand<T> zs = tf.stopGradient(z);
    Operand<T> m = G.safeMax(tf, zs);
    Operand<T> sum = G.sumLast(tf, tf.math.exp(tf.math.sub(zs, m)));
    Operand<T> lse = tf.math.add(m, tf.math.log(sum));
    Operand<T> lseSafe = tf.select(tf.math.isFinite(lse), lse, tf.zerosLike(lse));
    Operand<T> loss = tf.math.sub(squeezeLast(tf, lse), labels.pick(tf, zs));
    return CustomGradients.apply(
        tf, SOFTMAX_RULE, loss, List.of(z, lseSafe, labels.indices), Map.of());
  }

  /**
   * The Fenchel-Young loss sum_j p_j z_j + entropy - z_y for a given p (computed from z, constant)
   * and its entropy H(p) per row ([R, 1]). Terms with p_j = 0 are left out, so -inf masks give no
   * NaN; the loss is +inf when z_y is -inf.
   */
  static <T extends TNumber> Operand<T> loss(
      Ops tf, Operand<T> z, Operand<T> p, Operand<T> entropy, Labels<?> labels) {
    Operand<T> zs = tf.stopGradient(z);
    Operand<T> ps = tf.stopGradient(p);
    Operand<T> shift = G.safeMax(tf, zs);
    Operand<T> zc = tf.math.sub(zs, shift); // shift invariant; keeps p.z and z_y small
    Operand<TBool> on = tf.math.greater(ps, tf.zerosLike(ps));
    Operand<T> pz = G.sumLast(tf, G.where0(tf, on, tf.math.mul(ps, zc)));
    Operand<T> value =
        tf.math.sub(squeezeLast(tf, tf.math.add(pz, entropy)), labels.pick(tf, zc));
    return CustomGradients.apply(tf, RULE, value, List.of(z, ps, labels.indices), Map.of());
  }

  static <T extends TNumber> Operand<T> squeezeLast(Ops tf, Operand<T> x) {
    return tf.squeeze(x, org.tensorflow.op.core.Squeeze.axis(List.of(-1L)));
  }
}
