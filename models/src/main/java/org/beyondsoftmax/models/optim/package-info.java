/**
 * The optimisers, written once: {@link org.beyondsoftmax.models.optim.Optimizer} (SGD and a
 * deterministic Adam, gradient-norm clipping, per-parameter learning-rate multipliers) and the
 * state variables it keeps.
 *
 * <p>May use: {@code org.beyondsoftmax.models.nn} (the parameters it trains), {@code ops} and
 * TF-Java's core API.
 */
package org.beyondsoftmax.models.optim;
