package org.beyondsoftmax.models.heads;

import java.util.List;
import java.util.Optional;
import org.beyondsoftmax.models.spec.EntmaxAlpha;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Option;
import org.beyondsoftmax.models.spec.Spec;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TIntegral;

/**
 * alpha-entmax (Peters, Niculae &amp; Martins 2019, "Sparse Sequence-to-Sequence Models"):
 * p = entmax_alpha(W h + b) = max((alpha - 1) z - tau, 0)^(1/(alpha - 1)), sparse for alpha &gt; 1.
 * Trained with its Fenchel-Young loss, the Tsallis entropy H_alpha(p) = (1 - sum p^alpha) /
 * (alpha (alpha - 1)) (Blondel et al. 2020). alpha is fixed (1.5 uses the exact sorted
 * {@link Mappings#entmax15}, others bisection) or learned as alpha = 1 + sigmoid(a) in (1, 2)
 * (Correia, Niculae &amp; Martins 2019, "Adaptively Sparse Transformers"); then alpha gets the
 * Fenchel-Young gradient dH_alpha(p)/dalpha - dH_alpha(q)/dalpha.
 */
public final class EntmaxHead<T extends TFloating> extends SparseHead<T> {
  public static final Option<Double> ALPHA = EntmaxAlpha.alpha("alpha in (1, 2] (initial value if learned)");
  public static final Option<Boolean> LEARN_ALPHA = EntmaxAlpha.learn("learn alpha in (1, 2)");
  public static final Kind<HeadFactory> KIND = EntmaxAlpha.checked(Kind.<HeadFactory>of("entmax",
      "alpha-entmax with its Fenchel-Young loss (Peters et al. 2019)",
      List.of(ALPHA, LEARN_ALPHA, HeadOptions.BIAS), EntmaxHead::new), ALPHA, LEARN_ALPHA);

  private final double alpha;
  private final Optional<Operand<T>> alphaRaw;

  public EntmaxHead(HeadConfig<T> config, Spec<HeadFactory> spec) {
    super(config, spec, List.of(KIND));
    this.alpha = spec.get(ALPHA);
    classLayer(spec.get(HeadOptions.BIAS), false);
    this.alphaRaw = spec.get(LEARN_ALPHA)
        ? Optional.of(params.constant("alpha_raw", Shape.scalar(), EntmaxAlpha.raw(alpha)))
        : Optional.empty();
  }

  /**
   * @param alpha the fixed alpha, in (1, 2]; or the initial alpha when learned, in (1, 2)
   * @param learnAlpha learn alpha, kept in (1, 2)
   */
  public EntmaxHead(HeadConfig<T> config, double alpha, boolean learnAlpha, boolean bias) {
    this(config, KIND.spec().with(ALPHA, alpha).with(LEARN_ALPHA, learnAlpha).with(HeadOptions.BIAS, bias));
  }

  public EntmaxHead(HeadConfig<T> config) {
    this(config, KIND.spec());
  }

  /** alpha as a scalar operand: the constant, or 1 + sigmoid(a) when learned. */
  public Operand<T> alpha(Ops tf) {
    return alphaRaw.<Operand<T>>map(a -> tf.math.add(params.scalar(tf, 1), tf.math.sigmoid(a)))
        .orElseGet(() -> params.scalar(tf, alpha));
  }

  private boolean exact15() {
    return alphaRaw.isEmpty() && alpha == 1.5;
  }


  @Override
  protected Operand<T> map(Ops tf, Operand<T> z) {
    return exact15() ? Mappings.entmax15(tf, z) : Mappings.entmaxBisect(tf, z, alpha(tf), -1);
  }

  @Override
  public Operand<T> loss(Operand<T> h, Operand<? extends TIntegral> labels) {
    return onScores("loss", h, (s, z) -> exact15() ? Losses.entmax15Loss(s, z, labels)
        : Losses.entmaxBisectLoss(s, z, labels, alpha(s), LossOptions.defaults()));
  }

  @Override
  public Operand<T> targetLoss(Operand<T> h, Operand<T> targets) {
    Operand<T> q = checkTargets(targets);
    return onScores("targetLoss", h, (s, z) -> exact15() ? Losses.entmax15LossWithTargets(s, z, q, LossOptions.defaults())
        : Losses.entmaxBisectLossWithTargets(s, z, q, alpha(s), LossOptions.defaults()));
  }

}
