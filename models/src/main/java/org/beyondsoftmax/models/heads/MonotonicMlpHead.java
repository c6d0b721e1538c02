package org.beyondsoftmax.models.heads;

import java.util.List;
import org.beyondsoftmax.models.nn.MonotonicMlp;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Option;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.types.family.TFloating;

/**
 * LMS with a monotonic MLP (the variant of Ganea et al. 2019's synthetic experiment):
 * p = softmax(f(W h + b)), f(x) = sum_{i&lt;K} v_i sigmoid(u_i x + b_i), u, v &gt; 0
 * ({@link MonotonicMlp}, Daniels &amp; Velikova 2010). Adds 3K parameters; memory grows with
 * K x N x M, so keep K small.
 */
public final class MonotonicMlpHead<T extends TFloating> extends LmsHead<T> {
  public static final Option<Integer> UNITS =
      Option.integer("units", MonotonicMlp.DEFAULT_UNITS, 1, "K hidden units");
  public static final Option<Double> RANGE = Option.real("range", MonotonicMlp.DEFAULT_RANGE,
      v -> v > 0 && !v.isInfinite(), "finite and > 0", "initial sigmoid centres on [-range, range]");
  public static final Kind<HeadFactory> KIND = Kind.of("mlp",
      "LMS with an increasing one-hidden-layer MLP (Daniels & Velikova 2010)",
      List.of(UNITS, RANGE, HeadOptions.BIAS), MonotonicMlpHead::new);

  public MonotonicMlpHead(HeadConfig<T> config, Spec<HeadFactory> spec) {
    super(config, spec, KIND, p -> new MonotonicMlp<>(p, spec.get(UNITS), spec.get(RANGE)));
  }

  public MonotonicMlpHead(HeadConfig<T> config, int units, double range, boolean bias) {
    this(config, KIND.spec().with(UNITS, units).with(RANGE, range).with(HeadOptions.BIAS, bias));
  }

  public MonotonicMlpHead(HeadConfig<T> config) {
    this(config, KIND.spec());
  }
}
