package org.beyondsoftmax.ops;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * A mapping of the entmax family with its regulariser: p = P(x, tau(x)) for a per-row threshold
 * tau, paired with the Tsallis entropy Omega whose Fenchel-Young loss it has — sparsemax
 * ({@link Sparsemax}), 1.5-entmax ({@link Entmax15}) and alpha-entmax by bisection
 * ({@link EntmaxBisect}). The entmax package pairs each projection with its omega in the same way,
 * and this class writes once what follows from the pair (Blondel, Martins &amp; Niculae 2020,
 * "Learning with Fenchel-Young Losses"):
 *
 * <ul>
 *   <li>the loss with integer labels, L = sum_j p_j z_j + Omega(p) - z_y, gradient p - onehot(y)
 *       ({@link #labelLoss}; sorted-threshold mappings override it with their candidate-only
 *       form and fused kernel);
 *   <li>the loss with target distributions q, L = sum_j (p_j - q_j) z_j + Omega(p) - Omega(q),
 *       p held constant, gradient p - q (terms with p_j = q_j left out, so -inf masks give no
 *       NaN); a regulariser with parameters (a learned alpha) gets dOmega(p)/dalpha -
 *       dOmega(q)/dalpha (Danskin) ({@link #targetLoss}).
 * </ul>
 *
 * Everything works on the last axis of its inputs; callers lay the class axis out last.
 */
abstract class ThresholdMapping {

  /** p over the last axis of x, with its exact (custom) gradient. */
  abstract <T extends TNumber> Operand<T> lastAxis(Ops tf, Operand<T> x, SortStrategy strategy);

  /**
   * The regulariser Omega(p) per row, [.., 1]. It carries a gradient only to the mapping's own
   * parameters (alpha when it is a tensor); callers hold p constant.
   */
  abstract <T extends TNumber> Operand<T> entropy(Ops tf, Operand<T> p);

  /**
   * The per-row loss of [R, M] logits z for labels: sum_j p_j z_j + Omega(p) - z_y, dense form.
   *
   * @param rowMax the row maximum of z (gradient stopped)
   */
  <T extends TNumber> Operand<T> labelLoss(
      Ops tf, Operand<T> z, Operand<T> rowMax, Labels<?> labels) {
    Operand<T> p = tf.stopGradient(lastAxis(tf, tf.stopGradient(z), SortStrategy.BOUNDED_TOP_K));
    Operand<T> omega = entropy(tf, p);
    Operand<T> omegaHeld = tf.stopGradient(omega);
    Operand<T> loss = FenchelYoung.loss(tf, z, rowMax, p, omegaHeld, labels);
    // + Omega(p) - Omega(p): adds 0 to the value and dOmega(p)/dtheta to the regulariser's
    // parameters, which the custom gradient of the loss (dz only) does not reach
    return tf.math.add(loss, FenchelYoung.squeezeLast(tf, tf.math.sub(omega, omegaHeld)));
  }

  /**
   * The per-row loss [..] (last axis reduced) of logits z for target distributions q of the same
   * shape: sum_j (p_j - q_j) z_j + Omega(p) - Omega(q) with p = mapping(z) held constant.
   */
  final <T extends TNumber> Operand<T> targetLoss(Ops tf, Operand<T> z, Operand<T> q) {
    Operand<T> p = tf.stopGradient(lastAxis(tf, tf.stopGradient(z), SortStrategy.BOUNDED_TOP_K));
    Operand<T> pq = tf.math.sub(p, q);
    // terms with p_j = q_j drop out, so -inf masks (p_j = q_j = 0) give no NaN
    Operand<T> terms = Rows.where0(tf, tf.math.notEqual(pq, tf.zerosLike(pq)), tf.math.mul(pq, z));
    Operand<T> linear = Rows.sumLast(tf, terms);
    Operand<T> regulariser = tf.math.sub(entropy(tf, p), entropy(tf, tf.stopGradient(q)));
    return FenchelYoung.squeezeLast(tf, tf.math.add(linear, regulariser));
  }

  /**
   * The Jacobian-vector product of the entmax family for weights r &gt;= 0 (r = 1[p &gt; 0] for
   * sparsemax, sqrt(p) for 1.5-entmax, p^(2 - alpha) for alpha-entmax; Peters et al. 2019):
   * dx = r g - (sum(r g)/sum(r)) r.
   */
  static <T extends TNumber> Operand<T> weightedJvp(Ops tf, Operand<T> r, Operand<T> g) {
    Operand<T> rg = tf.math.mul(r, g);
    Operand<T> q = tf.math.div(Rows.sumLast(tf, rg), Rows.nonZero(tf, Rows.sumLast(tf, r)));
    return tf.math.sub(rg, tf.math.mul(q, r));
  }

  /** 1[p &gt; 0] in p's dtype. */
  static <T extends TNumber> Operand<T> support(Ops tf, Operand<T> p) {
    Operand<TBool> on = tf.math.greater(p, tf.zerosLike(p));
    return tf.dtypes.cast(on, p.type());
  }

  /** The gradient list of a mapping rule: the pass-through for input 0, then dx. */
  static List<Operand<?>> mappingGradient(
      org.tensorflow.GraphOperation node, Operand<?> dx) {
    return List.of(CustomGradients.passThrough(node, 0), dx);
  }
}
