package org.beyondsoftmax.models;

import java.util.List;

/**
 * The settings of a PLIF function ({@link Plif}): K knots on [-range, range], the spread of the
 * initial slopes around 1, and a learning-rate multiplier for the slopes. The defaults follow
 * Ganea et al. 2019: K = 100,000 intervals on [-20, 20].
 */
public record PlifSettings(int knots, double range, double slopeSpread, double slopeLearningRate) {
  public static final PlifSettings DEFAULTS = new PlifSettings(100_000, 20.0, 0.1, 1.0);

  /** The options of every head with a PLIF, for {@link Heads}. */
  static final List<HeadOptions.Option> OPTIONS = List.of(
      HeadOptions.Option.of("knots", DEFAULTS.knots, "K, the number of linear pieces"),
      HeadOptions.Option.of("range", DEFAULTS.range, "T: knots evenly spaced on [-T, T]"),
      HeadOptions.Option.of("slope-spread", DEFAULTS.slopeSpread,
          "initial slopes uniform in [1 - spread, 1 + spread], spread in [0, 1)"),
      HeadOptions.Option.of("slope-lr", DEFAULTS.slopeLearningRate,
          "learning-rate multiplier of the slopes"));

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

  static PlifSettings read(HeadOptions o) {
    return new PlifSettings(o.integer("knots"), o.real("range"), o.real("slope-spread"), o.real("slope-lr"));
  }

  /** {@code spec} with the settings that differ from the defaults. */
  HeadSpec addTo(HeadSpec spec) {
    return spec.withIfNot("knots", knots, DEFAULTS.knots)
        .withIfNot("range", range, DEFAULTS.range)
        .withIfNot("slope-spread", slopeSpread, DEFAULTS.slopeSpread)
        .withIfNot("slope-lr", slopeLearningRate, DEFAULTS.slopeLearningRate);
  }
}
