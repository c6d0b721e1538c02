package org.beyondsoftmax.ops;

import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * Sigsoftmax cross-entropy per row (Kanai et al. 2018, "Sigsoftmax: Reanalysis of the Softmax
 * Bottleneck"): L = logsumexp(u) - u_y with u = x + log sigmoid(x) = x - softplus(-x), i.e.
 * -log sigsoftmax(x)_y; gradient (p - onehot(y)) (2 - sigmoid(x)), p = sigsoftmax(x).
 *
 * <p>The fused kernel of a {@link NativeKernels} provider when {@link Kernels} allows (one pass
 * over x forward, one backward, no [N, M] tensor but the gradient); otherwise softmax
 * cross-entropy of the composite sigsoftmax logits u.
 */
final class SigsoftmaxCrossEntropy {
  private SigsoftmaxCrossEntropy() {}

  /** The loss of each row of [R, M] logits z; rowMax: max z per row ([R, 1], gradient stopped). */
  static <T extends TNumber> Operand<T> rows(
      Ops tf, Operand<T> z, Operand<T> rowMax, Labels<?> labels) {
    Optional<NativeKernels> fused = Kernels.forScope(tf);
    if (fused.isPresent()) {
      return fused.get().sigsoftmaxCrossEntropy(tf, z, labels.safe);
    }
    // u is increasing in z: the row maximum of u is u(max z)
    return FenchelYoung.crossEntropy(
        tf, Softmax.sigsoftmaxLogits(tf, z), Softmax.sigsoftmaxLogits(tf, rowMax), labels);
  }
}
