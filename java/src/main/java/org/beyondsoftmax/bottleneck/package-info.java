/**
 * The softmax-bottleneck experiment (Ganea et al. 2019, section 5.1): Dirichlet targets, free
 * context embeddings, every head trained to the targets, and what is measured of the fit (KL,
 * mode match, numerical rank, learned PLIF functions), with its tables and plots
 * ({@code beyond bottleneck}, {@code beyond demo}).
 *
 * <p>May use: {@code models}, {@code ops}, TF-Java, XChart.
 */
package org.beyondsoftmax.bottleneck;
