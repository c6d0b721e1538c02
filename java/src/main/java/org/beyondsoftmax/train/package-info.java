/**
 * Training a language model into a model directory ({@code beyond train}): the settings of a run,
 * the epoch loop with validation, learning-rate decay and early stopping, atomic checkpoints that
 * resume exactly after kill -9, the export of the best checkpoint, and perplexity; a model directory
 * opened with a cache head ({@link org.beyondsoftmax.train.CachedModel}) and the cache's evaluation
 * and grid search ({@link org.beyondsoftmax.train.CacheTuning}).
 *
 * <p>May use: {@code corpus}, {@code json}, {@code models.lm} and the rest of {@code models}.
 */
package org.beyondsoftmax.train;
