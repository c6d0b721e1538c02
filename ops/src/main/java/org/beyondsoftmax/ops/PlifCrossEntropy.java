package org.beyondsoftmax.ops;

import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * Cross-entropy of PLIF-transformed logits, the LMS-PLIF head's loss (Ganea et al. 2019):
 * L = logsumexp(f(z)) - f(z_y) with f = {@link Mappings#plif}. The fused kernel of a
 * {@link NativeKernels} provider does it in one pass over z per direction: the PLIF lookup, the
 * running log-sum-exp and the label term forward; dz = (p - onehot(y)) s_i and the slope gradient
 * accumulated per knot backward, with no [N, M] tensor but dz. Without it, the loss is
 * {@code Losses.crossEntropy(Mappings.plif(z))}, value for value.
 */
final class PlifCrossEntropy {
  private PlifCrossEntropy() {}

  /** The fused kernels to build the loss with now, if any. */
  static Optional<NativeKernels> fused(Ops tf) {
    return Kernels.forScope(tf);
  }

  /** What {@link Mappings#plif} requires of slopesRaw and range, checked up front. */
  static void check(Operand<?> logits, Operand<?> slopesRaw, double range) {
    Checks.positive("range", range);
    Checks.floating("slopesRaw", slopesRaw);
    Checks.sameType("slopesRaw", slopesRaw, "logits", logits);
  }

  /** The fused loss of each row of [R, M] logits z (compute dtype; slopesRaw cast to it). */
  @SuppressWarnings("unchecked")
  static <T extends TNumber> Operand<T> rows(
      NativeKernels kernels, Ops tf, Operand<T> z, Operand<?> slopesRaw, double range,
      Labels<?> labels) {
    Operand<T> v = slopesRaw.type() == z.type()
        ? (Operand<T>) slopesRaw
        : tf.dtypes.cast((Operand<TNumber>) slopesRaw, z.type());
    return kernels.plifCrossEntropy(tf, z, labels.safe, v, range);
  }
}
