/**
 * Working with any SavedModel: calibration of a signature's logits ({@code beyond calibrate}),
 * labelled data and tensor values as JSON, and the GPU kernel coverage of a graph's nodes.
 *
 * <p>May use: {@code models} (calibration, portable graphs), {@code ops}, TF-Java, Jackson.
 */
package org.beyondsoftmax.savedmodel;
