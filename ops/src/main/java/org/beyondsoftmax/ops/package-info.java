/**
 * Stateless graph math for TF-Java: the mappings from scores to distributions ({@link
 * org.beyondsoftmax.ops.Mappings}), their losses with labels and with target distributions
 * ({@link org.beyondsoftmax.ops.Losses}), the thresholds of the entmax family (one
 * threshold-mapping abstraction behind sparsemax, 1.5-entmax and alpha-entmax), entropies, PLIF,
 * the mixture of softmaxes, Gumbel sampling, the per-instance custom gradients they use, and the
 * choice between fused native kernels and composite ops ({@link org.beyondsoftmax.ops.Kernels},
 * {@link org.beyondsoftmax.ops.NativeKernels}). Nothing here owns a variable.
 *
 * <p>May use: TF-Java's core API ({@code tensorflow-core-api}) only.
 */
package org.beyondsoftmax.ops;
