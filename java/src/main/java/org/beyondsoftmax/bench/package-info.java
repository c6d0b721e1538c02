/**
 * Benchmarks of the ops: seeded inputs, one graph per op and shape, interleaved shuffled rounds,
 * medians and ratios to a baseline measured in the same run ({@code beyond bench ops}).
 *
 * <p>May use: {@code ops}, {@code models} and TF-Java.
 */
package org.beyondsoftmax.bench;
