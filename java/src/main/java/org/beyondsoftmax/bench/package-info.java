/**
 * Benchmarks of the ops: seeded inputs, one graph per op and shape, interleaved shuffled rounds,
 * medians and ratios to a baseline measured in the same run ({@code beyond bench ops}); and of a
 * cache head's cost per language-model step ({@code beyond bench cache}, {@link
 * org.beyondsoftmax.bench.CacheBenchmark}).
 *
 * <p>May use: {@code ops}, {@code models} and TF-Java.
 */
package org.beyondsoftmax.bench;
