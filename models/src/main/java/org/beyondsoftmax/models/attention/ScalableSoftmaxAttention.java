package org.beyondsoftmax.models.attention;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Option;
import org.beyondsoftmax.models.spec.Spec;
import org.beyondsoftmax.ops.AttentionNormalisers;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TFloating;

/**
 * Scalable softmax (Nakanishi 2025, "Scalable-Softmax Is Superior for Attention"):
 * p = softmax(s log(n) z) over the n keys that take part, so that the largest weight does not
 * fade as n grows. s is a constant, or learned per head as a variable {@code s} [H, 1, 1]
 * starting at the given s (as in the paper, unconstrained).
 */
public final class ScalableSoftmaxAttention<T extends TFloating> extends AbstractNormaliser<T> {
  public static final Option<Double> S = Option.real("s", 1.0, v -> v > 0 && !v.isInfinite(),
      "finite and > 0", "the scale s (the initial value of every head's if learned)");
  public static final Option<Boolean> LEARN_S = Option.flag("learn-s", false, "learn s per head");
  public static final Kind<AttentionFactory> KIND = Kind.of("ssmax",
      "scalable softmax, softmax(s log(n) z), s constant or learned per head (Nakanishi 2025)",
      List.of(S, LEARN_S), ScalableSoftmaxAttention::new);

  private final double s;
  private final Optional<Operand<T>> learned;

  public ScalableSoftmaxAttention(AttentionConfig<T> config, Spec<AttentionFactory> spec) {
    super(config, spec, KIND);
    this.s = spec.get(S);
    this.learned = spec.get(LEARN_S) ? Optional.of(perHeadVariable("s", s)) : Optional.empty();
  }

  @Override
  protected Operand<T> normalise(Ops tf, Operand<T> scores, Operand<TBool> mask) {
    return learned.map(v -> AttentionNormalisers.ssmax(tf, scores, mask, v))
        .orElseGet(() -> AttentionNormalisers.ssmax(tf, scores, mask, s));
  }

  @Override
  public Map<String, Operand<T>> perHead(Ops tf) {
    return Map.of("s", learned.map(v -> flat(tf, v)).orElseGet(() -> constant(tf, s)));
  }
}
