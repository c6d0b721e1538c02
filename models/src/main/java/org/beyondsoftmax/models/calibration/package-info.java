/**
 * Post-hoc calibration of any classifier's logits by an increasing function (PLIF or a
 * temperature): the graphs ({@link org.beyondsoftmax.models.calibration.LogitCalibration}) and the
 * fit that runs them ({@link org.beyondsoftmax.models.calibration.CalibrationFit}).
 *
 * <p>May use: {@code models.nn}, {@code models.optim}, {@code ops} and TF-Java's core API.
 */
package org.beyondsoftmax.models.calibration;
