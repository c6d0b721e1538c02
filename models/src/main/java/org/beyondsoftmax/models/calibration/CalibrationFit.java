package org.beyondsoftmax.models.calibration;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Fits a {@link LogitCalibration} to held-out logits and labels: runs its {@link
 * LogitCalibration#objective} for a number of full-batch Adam steps in a graph of its own.
 */
public final class CalibrationFit {
  private CalibrationFit() {}

  /**
   * Fits the transform to logits [n, m] (row-major) and labels [n].
   *
   * @param knots K (PLIF)
   * @param steps full-batch Adam steps
   * @param learningRate Adam's rate
   */
  public static LogitCalibration.Fitted fit(float[] logits, int n, int m, int[] labels,
      LogitCalibration.Kind kind, int knots, int steps, double learningRate) {
    if (n < 1 || m < 2 || logits.length != (long) n * m || labels.length != n) {
      throw new IllegalArgumentException("logits must be [n, m] with n >= 1, m >= 2 and labels [n]; got "
          + logits.length + " logits, n = " + n + ", m = " + m + ", " + labels.length + " labels");
    }
    double max = 0;
    for (float z : logits) {
      if (!Float.isFinite(z)) {
        throw new IllegalArgumentException("the logits must be finite (a sparse model's -inf cannot be "
            + "calibrated this way), got " + z);
      }
      max = Math.max(max, Math.abs(z));
    }
    for (int y : labels) {
      if (y < 0 || y >= m) {
        throw new IllegalArgumentException("labels must be in [0, " + m + "), got " + y);
      }
    }
    if (knots < 1 || steps < 0) {
      throw new IllegalArgumentException("knots must be >= 1 and steps >= 0, got " + knots + ", " + steps);
    }
    double range = Math.max(1.0, Math.ceil(max * 1.05));
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      LogitCalibration.Objective o = LogitCalibration.objective(tf,
          tf.constant(Shape.of(n, m), DataBuffers.of(logits, true, false)), tf.constant(labels), kind, knots,
          range, learningRate);
      try (Session s = new Session(g)) {
        s.initialize();
        double before = scalar(s, o.nllBefore());
        for (int i = 0; i < steps; i++) {
          s.run(o.step());
        }
        double fitted = scalar(s, o.nllAfter());
        try (Result r = s.runner().fetch(o.raw()).run()) {
          float[] v = new float[(int) r.get(0).shape().size()];
          ((TFloat32) r.get(0)).copyTo(DataBuffers.of(v, false, false));
          return kind == LogitCalibration.Kind.PLIF
              ? new LogitCalibration.Fitted(kind, range, v, Double.NaN, before, fitted)
              : new LogitCalibration.Fitted(kind, Double.NaN, null, Math.exp(v[0]), before, fitted);
        }
      }
    }
  }

  private static double scalar(Session s, Operand<TFloat32> x) {
    try (Result r = s.runner().fetch(x).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }
}
