package org.beyondsoftmax.models;

import org.tensorflow.types.family.TFloating;

/**
 * LMS-PLIF (Ganea et al. 2019, "Breaking the Softmax Bottleneck via Learnable Monotonic Pointwise
 * Non-linearities", section 4): p = softmax(f(W h + b)) with f the piecewise-linear increasing
 * function {@link Plif} (K knots on [-T, T], default K = 100,000, T = 20). Adds K parameters.
 */
public final class LmsPlif<T extends TFloating> extends LmsHead<T> {
  public static final String NAME = "plif";
  public static final boolean DEFAULT_BIAS = true;

  public LmsPlif(HeadConfig<T> config, PlifSettings plif, boolean bias) {
    super(config, plif.addTo(HeadSpec.of(NAME)).withIfNot("bias", bias, DEFAULT_BIAS), bias,
        p -> new Plif<>(p, plif));
  }

  public LmsPlif(HeadConfig<T> config) {
    this(config, PlifSettings.DEFAULTS, DEFAULT_BIAS);
  }
}
