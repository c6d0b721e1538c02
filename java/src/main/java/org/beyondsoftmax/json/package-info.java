/**
 * The application's JSON files (settings, model information, checkpoints' state, reports):
 * one mapper, atomic and durable writes through {@code models.io.AtomicFiles}.
 *
 * <p>May use: Jackson and {@code models} (specs, atomic files).
 */
package org.beyondsoftmax.json;
