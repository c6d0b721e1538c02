package org.beyondsoftmax.models.nn;

/**
 * The settings of a PLIF function ({@link PlifFunction}): K knots on [-range, range], the spread of the
 * initial slopes around 1, and a learning-rate multiplier for the slopes. The defaults follow
 * Ganea et al. 2019: K = 100,000 intervals on [-20, 20].
 */
public record PlifSettings(int knots, double range, double slopeSpread, double slopeLearningRate) {
  public static final PlifSettings DEFAULTS = new PlifSettings(100_000, 20.0, 0.1, 1.0);

  public PlifSettings {
    if (knots < 1) {
      throw new IllegalArgumentException("knots must be >= 1, got " + knots);
    }
    if (!(range > 0) || Double.isInfinite(range)) {
      throw new IllegalArgumentException("range must be finite and > 0, got " + range);
    }
    if (!(slopeSpread >= 0 && slopeSpread < 1)) {
      throw new IllegalArgumentException("slope-spread must be in [0, 1), got " + slopeSpread);
    }
    if (!(slopeLearningRate > 0) || Double.isInfinite(slopeLearningRate)) {
      throw new IllegalArgumentException("slope-lr must be finite and > 0, got " + slopeLearningRate);
    }
  }
}
