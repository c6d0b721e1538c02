package org.beyondsoftmax.models.attention;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.beyondsoftmax.models.spec.EntmaxAlpha;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Option;
import org.beyondsoftmax.models.spec.Spec;
import org.beyondsoftmax.ops.AttentionNormalisers;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TFloating;

/**
 * alpha-entmax attention (Peters, Niculae &amp; Martins 2019): p = max((alpha - 1) z - tau,
 * 0)^(1/(alpha - 1)), sum(p) = 1, sparse for alpha &gt; 1. alpha is a constant (1.5: the exact
 * sorted 1.5-entmax; others by bisection), or learned per head as alpha = 1 + sigmoid(a_h) in
 * (1, 2), a_h a variable {@code alpha_raw} [H, 1, 1] starting at the given alpha (Correia,
 * Niculae &amp; Martins 2019, "Adaptively Sparse Transformers").
 */
public final class EntmaxAttention<T extends TFloating> extends AbstractNormaliser<T> {
  public static final Option<Double> ALPHA =
      EntmaxAlpha.alpha("alpha in (1, 2] (the initial value of every head's if learned)");
  public static final Option<Boolean> LEARN_ALPHA = EntmaxAlpha.learn("learn alpha per head, kept in (1, 2)");
  public static final Kind<AttentionFactory> KIND = EntmaxAlpha.checked(Kind.<AttentionFactory>of("entmax",
      "alpha-entmax over the keys, alpha constant or learned per head (Peters et al. 2019; Correia et al. 2019)",
      List.of(ALPHA, LEARN_ALPHA), EntmaxAttention::new), ALPHA, LEARN_ALPHA);

  private final double alpha;
  private final Optional<Operand<T>> alphaRaw;

  public EntmaxAttention(AttentionConfig<T> config, Spec<AttentionFactory> spec) {
    super(config, spec, KIND);
    this.alpha = spec.get(ALPHA);
    this.alphaRaw = spec.get(LEARN_ALPHA)
        ? Optional.of(perHeadVariable("alpha_raw", EntmaxAlpha.raw(alpha)))
        : Optional.empty();
  }

  /** alpha [H, 1, 1] when learned: 1 + sigmoid(a). */
  private Operand<T> learned(Ops tf, Operand<T> raw) {
    return tf.math.add(params.scalar(tf, 1), tf.math.sigmoid(raw));
  }

  @Override
  protected Operand<T> normalise(Ops tf, Operand<T> scores, Operand<TBool> mask) {
    return alphaRaw.map(a -> AttentionNormalisers.entmax(tf, scores, mask, learned(tf, a)))
        .orElseGet(() -> AttentionNormalisers.entmax(tf, scores, mask, alpha));
  }

  @Override
  public Map<String, Operand<T>> perHead(Ops tf) {
    return Map.of("alpha", alphaRaw.map(a -> flat(tf, learned(tf, a))).orElseGet(() -> constant(tf, alpha)));
  }
}
