package org.beyondsoftmax.models.heads;

import java.util.List;
import java.util.Optional;
import org.beyondsoftmax.models.nn.MonotoneFunction;
import org.beyondsoftmax.models.nn.Parameter;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.Operand;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TIntegral;

/**
 * A trainable output layer: hidden states h [N, d] to a distribution over M classes.
 *
 * <p>A head owns its variables ({@code VariableV2}, created once in its constructor from a
 * {@link HeadConfig}) and can be applied to any number of hidden-state tensors of the same graph;
 * every application shares the variables. Every head answers the same questions, so training loops,
 * experiments and export never special-case one:
 *
 * <ul>
 *   <li>{@link #logProbabilities} and {@link #probabilities}: inference ([N, M]; a sparse head has
 *       exact zeros, i.e. log-probability -inf, outside its support);
 *   <li>{@link #loss}: the per-example training loss for integer labels ([N]): cross-entropy for
 *       the heads with full support, the head's own loss otherwise (Fenchel-Young, margin, top-k);
 *   <li>{@link #targetLoss}: the same loss against target distributions q [N, M];
 *   <li>{@link #topK}: the k most probable classes and their probabilities.
 * </ul>
 *
 * @param <T> the floating dtype of h, of the variables and of every result
 */
public interface OutputHead<T extends TFloating> {

  /**
   * The head's kind and options; its text names the options that differ from their defaults,
   * e.g. {@code plif:knots=1000}. {@code Heads.create(spec(), config)} builds an equivalent head.
   */
  Spec<HeadFactory> spec();

  /** log p [N, M] at inference (no training margin); -inf where a sparse head gives 0. */
  Operand<T> logProbabilities(Operand<T> h);

  /**
   * Logits z [N, M] whose softmax is the head's distribution, for the heads with full support:
   * what a joint softmax over the classes and other entries takes (e.g. TRIME's memories,
   * {@code models.cache}). The default is {@link #logProbabilities}, which are such logits; heads
   * that compute scores before a softmax return those.
   *
   * @throws UnsupportedOperationException for a sparse head: no softmax gives its zeros
   */
  default Operand<T> logits(Operand<T> h) {
    if (isSparse()) {
      throw new UnsupportedOperationException("head '" + spec() + "' is sparse: it has no logits whose "
          + "softmax is its distribution");
    }
    return logProbabilities(h);
  }

  /** p [N, M]: rows on the simplex; sparse heads have exact zeros. */
  Operand<T> probabilities(Operand<T> h);

  /**
   * The per-example training loss [N] for integer labels [N] in [0, M).
   *
   * @param labels int32 or int64
   */
  Operand<T> loss(Operand<T> h, Operand<? extends TIntegral> labels);

  /**
   * The per-example training loss [N] against target distributions q [N, M] (rows on the simplex):
   * -sum_j q_j log p_j for the heads with full support (0 log 0 = 0), the head's Fenchel-Young loss
   * with soft targets for the sparse ones. With one-hot targets it equals {@link #loss}.
   */
  Operand<T> targetLoss(Operand<T> h, Operand<T> targets);

  /** The k most probable classes per row, most probable first; k larger than M means M. */
  TopK<T> topK(Operand<T> h, int k);

  /** Whether {@link #probabilities} can be exactly 0 (so log-probabilities can be -inf). */
  boolean isSparse();

  /** The variables this head owns and trains (a tied embedding is owned elsewhere: not listed). */
  List<Parameter<T>> parameters();

  /** The number of scalars in {@link #parameters()}. */
  default long parameterCount() {
    return parameters().stream().mapToLong(Parameter::size).sum();
  }

  /** For diagnostics: the class embeddings [M, d] of the output layer, if the head has one. */
  default Optional<Operand<T>> classEmbeddings() {
    return Optional.empty();
  }

  /** For diagnostics: the learned increasing function applied to the logits, if any. */
  default Optional<MonotoneFunction<T>> pointwiseFunction() {
    return Optional.empty();
  }
}
