package org.beyondsoftmax.models.heads;

import java.util.List;
import org.beyondsoftmax.models.nn.PlifSettings;
import org.beyondsoftmax.models.spec.Option;
import org.beyondsoftmax.models.spec.Spec;

/** The options that several heads share, declared once: the class bias and the PLIF settings. */
public final class HeadOptions {
  /** Whether the class layer learns a bias per class. */
  public static final Option<Boolean> BIAS = Option.flag("bias", true, "learn a bias per class");

  /** PLIF: K, the number of linear pieces. */
  public static final Option<Integer> KNOTS =
      Option.integer("knots", PlifSettings.DEFAULTS.knots(), 1, "K, the number of linear pieces");
  /** PLIF: T, the knots lie evenly on [-T, T]. */
  public static final Option<Double> RANGE = Option.real("range", PlifSettings.DEFAULTS.range(),
      v -> v > 0 && !v.isInfinite(), "finite and > 0", "T: knots evenly spaced on [-T, T]");
  /** PLIF: initial slopes uniform in [1 - spread, 1 + spread]. */
  public static final Option<Double> SLOPE_SPREAD = Option.real("slope-spread",
      PlifSettings.DEFAULTS.slopeSpread(), v -> v >= 0 && v < 1, "in [0, 1)",
      "initial slopes uniform in [1 - spread, 1 + spread], spread in [0, 1)");
  /** PLIF: the slopes' learning-rate multiplier. */
  public static final Option<Double> SLOPE_LR = Option.real("slope-lr",
      PlifSettings.DEFAULTS.slopeLearningRate(), v -> v > 0 && !v.isInfinite(), "finite and > 0",
      "learning-rate multiplier of the slopes");
  /** Every PLIF option, in the order specs print them. */
  public static final List<Option<?>> PLIF = List.of(KNOTS, RANGE, SLOPE_SPREAD, SLOPE_LR);

  private HeadOptions() {}

  /** The PLIF settings of a spec whose kind declares {@link #PLIF}. */
  public static PlifSettings plif(Spec<?> spec) {
    return new PlifSettings(spec.get(KNOTS), spec.get(RANGE), spec.get(SLOPE_SPREAD), spec.get(SLOPE_LR));
  }

  /** {@code spec} with the PLIF settings {@code plif}. */
  public static <F> Spec<F> withPlif(Spec<F> spec, PlifSettings plif) {
    return spec.with(KNOTS, plif.knots()).with(RANGE, plif.range())
        .with(SLOPE_SPREAD, plif.slopeSpread()).with(SLOPE_LR, plif.slopeLearningRate());
  }
}
