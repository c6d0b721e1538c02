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
 * gradient is p - onehot(y). Cross-entropy is the case p = softmax(z), H = Shannon entropy,
 * computed as logsumexp(z) - z_y. Every loss gradient is one custom rule that rebuilds p from z
 * and a per-row threshold, scales it by g and subtracts g at the labels in place (no one-hot).
 * Terms with p_j = 0 are left out, so -inf masks give no NaN; L = +inf when z_y = -inf.
 */
final class FenchelYoung {
  static final String SOFTMAX_RULE = "softmax_cross_entropy";
  static final String GIVEN_P_RULE = "fenchel_young";

  /** A mapping's probabilities p = P(x, t) from logits x and the per-row threshold t. */
  interface Pointwise {
    <T extends TNumber> Operand<T> apply(Ops tf, Operand<T> x, Operand<T> t);
  }

  static {
    // softmax: t = logsumexp(z) (finite), p = exp(z - t)
    defineLossRule(SOFTMAX_RULE, FenchelYoung::softmaxProbabilities);
    // inputs [loss, z, p, indices]: p given
    CustomGradients.define(
        GIVEN_P_RULE,
        (tf, node, up) -> {
          Operand<TNumber> p = CustomGradients.input(node, 2);
          return List.of(
              CustomGradients.passThrough(node, 0),
              minusOneHot(tf, p, node.input(3), CustomGradients.<TNumber>upstream(up, 0)),
              CustomGradients.passThrough(node, 2),
              CustomGradients.passThrough(node, 3));
        });
  }

  private FenchelYoung() {}

  /** Defines a loss rule with inputs [loss, z, t, indices] whose gradient is (P(z, t) - onehot) g. */
  static void defineLossRule(String name, Pointwise mapping) {
    CustomGradients.define(
        name,
        (tf, node, up) -> {
          Operand<TNumber> z = CustomGradients.input(node, 1);
          Operand<TNumber> t = CustomGradients.input(node, 2);
          Operand<TNumber> p = mapping.apply(tf, z, t);
          return List.of(
              CustomGradients.passThrough(node, 0),
              minusOneHot(tf, p, node.input(3), CustomGradients.<TNumber>upstream(up, 0)),
              CustomGradients.passThrough(node, 2),
              CustomGradients.passThrough(node, 3));
        });
  }

  private static <T extends TNumber> Operand<T> softmaxProbabilities(
      Ops tf, Operand<T> z, Operand<T> lse) {
    return tf.math.exp(tf.math.sub(z, lse));
  }

  /** (p - onehot(y)) g for [R, M] p, [R] g, [R, 2] (row, label) indices. */
  private static <T extends TNumber> Operand<T> minusOneHot(
      Ops tf, Operand<T> p, Operand<?> indices, Operand<T> g) {
    Operand<T> scaled = tf.math.mul(p, tf.expandDims(g, tf.constant(-1)));
    return tf.tensorScatterNdSub(scaled, (Operand<TNumber>) indices, g);
  }

  /** Cross-entropy logsumexp(z) - z_y per row. */
  static <T extends TNumber> Operand<T> crossEntropy(
      Ops tf, Operand<T> z, Operand<T> rowMax, Labels<?> labels) {
    Operand<T> zs = tf.stopGradient(z);
    Operand<T> lse = Rows.logSumExp(tf, zs, rowMax);
    Operand<T> loss = tf.math.sub(squeezeLast(tf, lse), labels.pick(tf, zs));
    return CustomGradients.apply(
        tf, SOFTMAX_RULE, loss,
        List.of(z, Rows.finite(tf, lse), tf.stopGradient(labels.indices)), Map.of());
  }

  /**
   * The loss from a sparse mapping's sorted candidates, O(rows x candidates):
   * sum_j p_j z_j + H(p) - z_y with z = x - shift.
   *
   * @param pTop p of the candidates; @param zTop the candidates in units of x - shift
   * @param entropy H(p) per row, [.., 1]; @param t the threshold the rule's mapping takes
   */
  static <T extends TNumber> Operand<T> candidateLoss(
      Ops tf, String rule, Operand<T> z, Operand<T> shift, Operand<T> pTop, Operand<T> zTop,
      Operand<T> entropy, Operand<T> t, Labels<?> labels) {
    Operand<TBool> on = tf.math.greater(pTop, tf.zerosLike(pTop));
    Operand<T> pz = Rows.sumLast(tf, Rows.where0(tf, on, tf.math.mul(pTop, zTop)));
    Operand<T> zy = tf.math.sub(labels.pick(tf, tf.stopGradient(z)), squeezeLast(tf, shift));
    Operand<T> value = tf.math.sub(squeezeLast(tf, tf.math.add(pz, entropy)), zy);
    return CustomGradients.apply(
        tf, rule, value, List.of(z, tf.stopGradient(t), tf.stopGradient(labels.indices)), Map.of());
  }

  /** The loss for a dense p computed from z (held constant) and its entropy H(p), [.., 1]. */
  static <T extends TNumber> Operand<T> loss(
      Ops tf, Operand<T> z, Operand<T> rowMax, Operand<T> p, Operand<T> entropy, Labels<?> labels) {
    Operand<T> zs = tf.stopGradient(z);
    Operand<T> ps = tf.stopGradient(p);
    Operand<T> shift = Rows.finite(tf, rowMax);
    Operand<T> zc = tf.math.sub(zs, shift); // shift invariant; keeps p.z and z_y small
    Operand<TBool> on = tf.math.greater(ps, tf.zerosLike(ps));
    Operand<T> pz = Rows.sumLast(tf, Rows.where0(tf, on, tf.math.mul(ps, zc)));
    Operand<T> value =
        tf.math.sub(squeezeLast(tf, tf.math.add(pz, entropy)), labels.pick(tf, zc));
    return CustomGradients.apply(
        tf, GIVEN_P_RULE, value, List.of(z, ps, tf.stopGradient(labels.indices)), Map.of());
  }

  static <T extends TNumber> Operand<T> squeezeLast(Ops tf, Operand<T> x) {
    return tf.squeeze(x, org.tensorflow.op.core.Squeeze.axis(List.of(-1L)));
  }

  /**
   * -sum_j q_j log p_j per row ([.., 1] reduced to [..]); entries with q_j = 0 contribute 0, even
   * where log p_j = -inf.
   */
  static <T extends TNumber> Operand<T> crossEntropyWithTargets(Ops tf, Operand<T> logp, Operand<T> q) {
    Operand<TBool> on = tf.math.greater(q, tf.zerosLike(q));
    Operand<T> terms = tf.select(on, tf.math.mul(q, logp), tf.zerosLike(logp));
    return tf.math.neg(squeezeLast(tf, Rows.sumLast(tf, terms)));
  }
}
