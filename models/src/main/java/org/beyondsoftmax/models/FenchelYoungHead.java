package org.beyondsoftmax.models;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * A sparse head trained with the Fenchel-Young loss of its regulariser (Blondel, Martins &amp;
 * Niculae 2020, "Learning with Fenchel-Young Losses"). With targets q and p = map(z):
 * L(z; q) = sum_j p_j z_j + H(p) - sum_j q_j z_j - H(q), in stop-gradient form (p held constant),
 * so dL/dz = p - q; a learned regulariser gets dL/dtheta = dH_theta(p)/dtheta - dH_theta(q)/dtheta
 * (Danskin). For one-hot q this is the label loss, e.g. the sparsemax loss.
 */
abstract class FenchelYoungHead<T extends TFloating> extends SparseHead<T> {

  FenchelYoungHead(HeadConfig<T> config, HeadSpec spec) {
    super(config, spec);
  }

  /**
   * The regulariser H(p) per row, [N, 1] or [N]; held constant (stopGradient) unless it has
   * learned parameters.
   */
  protected abstract Operand<T> entropy(Ops tf, Operand<T> p);

  @Override
  public Operand<T> targetLoss(Operand<T> h, Operand<T> targets) {
    Call<T> c = call("targetLoss", h);
    Ops s = c.tf();
    return fenchelYoung(s, scores(s, c.h()), Targets.check(targets, config));
  }

  /** L(z; q) per row [N]. */
  protected final Operand<T> fenchelYoung(Ops s, Operand<T> z, Operand<T> q) {
    Operand<T> p = s.stopGradient(map(s, s.stopGradient(z)));
    Operand<T> linear = Targets.sumLast(s, s.math.mul(s.math.sub(p, q), z));
    Operand<T> reg = s.math.sub(flat(s, entropy(s, p)), flat(s, entropy(s, q)));
    return s.math.add(linear, reg);
  }

  private Operand<T> flat(Ops s, Operand<T> rowValues) {
    return s.reshape(rowValues, s.constant(new int[] {-1}));
  }
}
