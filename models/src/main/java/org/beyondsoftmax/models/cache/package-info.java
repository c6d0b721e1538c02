/**
 * The neural cache as a part of a model: {@link org.beyondsoftmax.models.cache.CacheHead} wraps
 * any output head with a memory of the last L (hidden state, next word) pairs
 * ({@link org.beyondsoftmax.models.cache.CacheMemory}), carried from one BPTT window to the next
 * like a recurrent state; {@link org.beyondsoftmax.models.cache.CacheWindow} is one window's
 * memories, their validity (no look-ahead, only the last L) and what is built from them: the
 * head's distribution mixed with the cache's (Grave et al. 2017), and the training losses of TRIME
 * and HistAlign. {@link org.beyondsoftmax.models.cache.CacheSettings} says which. The maths is in
 * {@code ops} ({@code NeuralCache}, {@code CacheLosses}); this package lays out the memories.
 *
 * <p>May use: {@code models.heads}, {@code ops} and TF-Java's core API.
 */
package org.beyondsoftmax.models.cache;
