package org.beyondsoftmax.models;

import org.tensorflow.types.family.TFloating;

/**
 * LMS with a monotonic MLP (the variant of Ganea et al. 2019's synthetic experiment):
 * p = softmax(f(W h + b)), f(x) = sum_{i&lt;K} v_i sigmoid(u_i x + b_i), u, v &gt; 0
 * ({@link MonotonicMlp}, Daniels &amp; Velikova 2010). Adds 3K parameters; memory grows with
 * K x N x M, so keep K small.
 */
public final class LmsMonotonicMlp<T extends TFloating> extends LmsHead<T> {
  public static final String NAME = "mlp";
  public static final boolean DEFAULT_BIAS = true;

  public LmsMonotonicMlp(HeadConfig<T> config, int units, double range, boolean bias) {
    super(config, HeadSpec.of(NAME).withIfNot("units", units, MonotonicMlp.DEFAULT_UNITS)
            .withIfNot("range", range, MonotonicMlp.DEFAULT_RANGE)
            .withIfNot("bias", bias, DEFAULT_BIAS),
        bias, p -> new MonotonicMlp<>(p, units, range));
  }

  public LmsMonotonicMlp(HeadConfig<T> config) {
    this(config, MonotonicMlp.DEFAULT_UNITS, MonotonicMlp.DEFAULT_RANGE, DEFAULT_BIAS);
  }
}
