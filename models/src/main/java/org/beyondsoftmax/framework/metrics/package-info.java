/**
 * Metrics of probabilities as TF-Java framework metrics ({@link org.tensorflow.framework.metrics.Metric}):
 * {@link org.beyondsoftmax.framework.metrics.Perplexity} (and its epsilon-smoothed form, finite for
 * sparse heads) and {@link org.beyondsoftmax.framework.metrics.SupportSize} (the mean number of
 * classes with p &gt; 0), each a {@link org.beyondsoftmax.framework.metrics.ProbabilityMetric}:
 * a weighted mean over examples, accumulated in float64 variables across
 * {@code updateState} calls until {@code resetStates}.
 *
 * <pre>{@code
 * Perplexity perplexity = new Perplexity(Perplexity.EPSILON_SPARSE);  // smoothed: sparse heads
 * Op update = perplexity.updateState(tf, labels, probabilities, null);
 * Operand<TFloat32> value = perplexity.result(tf, TFloat32.class);
 * }</pre>
 *
 * <p>Predictions are probabilities (rows on the simplex along the class axis, e.g. the output of
 * an activation or a head's {@code probabilities}), labels class ids; graph mode, as every
 * framework metric. Batches of unknown size or rank are counted right (the framework's
 * {@code Mean} counts -1 examples for a batch of unknown size without weights).
 *
 * <p>May use: {@code org.beyondsoftmax.framework}, TF-Java.
 */
package org.beyondsoftmax.framework.metrics;
