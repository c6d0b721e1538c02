/**
 * The synthetic memory task of the cache experiments ({@code beyond memory-task}): streams of
 * episodes in which a value must be copied from what followed an earlier occurrence of its key
 * ({@link org.beyondsoftmax.memorytask.MemoryTask}), and the experiment that trains a language
 * model without a cache, with TRIME and with HistAlign and measures each with its cache
 * ({@link org.beyondsoftmax.memorytask.MemoryTaskExperiment}).
 *
 * <p>May use: {@code corpus}, {@code train}, {@code models}.
 */
package org.beyondsoftmax.memorytask;
