/**
 * Our mappings as TF-Java framework activations ({@link org.tensorflow.framework.activations.Activation}):
 * {@link org.beyondsoftmax.framework.activations.Sparsemax},
 * {@link org.beyondsoftmax.framework.activations.Entmax15},
 * {@link org.beyondsoftmax.framework.activations.EntmaxBisect},
 * {@link org.beyondsoftmax.framework.activations.Sigsoftmax},
 * {@link org.beyondsoftmax.framework.activations.TaylorSoftmax} and
 * {@link org.beyondsoftmax.framework.activations.TopKSoftmax}, each a
 * {@link org.beyondsoftmax.framework.activations.MappingActivation} over one function of
 * {@code org.beyondsoftmax.ops.Mappings}, and
 * {@link org.beyondsoftmax.framework.activations.BeyondActivations}, which creates them and the
 * framework's own activations by name or configuration map (the framework's
 * {@code Activation.create} knows only its closed list).
 *
 * <pre>{@code
 * Activation sparse = BeyondActivations.create("sparsemax");   // or new Sparsemax()
 * Operand<TFloat32> p = sparse.call(tf, logits);                 // rows on the simplex, exact zeros
 * }</pre>
 *
 * <p>An activation gives probabilities, for inference. <b>Train on the logits</b>, with the loss
 * of the mapping ({@code org.beyondsoftmax.framework.losses}): a sparse activation followed by
 * the framework's {@code CategoricalCrossentropy} (or {@code SparseCategoricalCrossentropy}) on
 * probabilities gives a finite loss with zero gradient on the label wherever the label's
 * probability is 0 (the framework clips it to 1e-7, and a clipped value has no gradient), so the
 * model never learns to put mass there. Our losses refuse the output of these activations.
 *
 * <p>May use: {@code org.beyondsoftmax.ops}, {@code org.beyondsoftmax.framework}, TF-Java.
 */
package org.beyondsoftmax.framework.activations;
