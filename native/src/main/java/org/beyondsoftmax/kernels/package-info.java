/**
 * The fused CPU kernels in C (TensorFlow's C kernel API), packed in this module's jar: the
 * {@link org.beyondsoftmax.ops.NativeKernels} provider that {@code ops} finds with the
 * ServiceLoader, the loading of the library for this platform, and the gradients of its ops.
 *
 * <p>May use: {@code ops} and TF-Java's core API.
 */
package org.beyondsoftmax.kernels;
