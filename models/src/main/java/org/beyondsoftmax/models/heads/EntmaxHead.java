package org.beyondsoftmax.models;

import java.util.Optional;
import org.beyondsoftmax.ops.Entropies;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
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
public final class EntmaxHead<T extends TFloating> extends FenchelYoungHead<T> {
  public static final String NAME = "entmax";
  public static final double DEFAULT_ALPHA = 1.5;
  public static final boolean DEFAULT_LEARN_ALPHA = false;
  public static final boolean DEFAULT_BIAS = true;

  private final Dense<T> classes;
  private final double alpha;
  private final Optional<Operand<T>> alphaRaw;

  /**
   * @param alpha the fixed alpha, in (1, 2]; or the initial alpha when learned, in (1, 2)
   * @param learnAlpha learn alpha, kept in (1, 2)
   */
  public EntmaxHead(HeadConfig<T> config, double alpha, boolean learnAlpha, boolean bias) {
    super(config, HeadSpec.of(NAME).withIfNot("alpha", alpha, DEFAULT_ALPHA)
        .withIfNot("learn-alpha", learnAlpha, DEFAULT_LEARN_ALPHA)
        .withIfNot("bias", bias, DEFAULT_BIAS));
    if (learnAlpha ? !(alpha > 1 && alpha < 2) : !(alpha > 1 && alpha <= 2)) {
      throw new IllegalArgumentException("alpha must be in " + (learnAlpha ? "(1, 2)" : "(1, 2]")
          + (learnAlpha ? " when learned" : "") + ", got " + alpha);
    }
    this.alpha = alpha;
    this.classes = Dense.classes(params, bias, false);
    this.alphaRaw = learnAlpha
        ? Optional.of(params.constant("alpha_raw", Shape.scalar(), Math.log((alpha - 1) / (2 - alpha))))
        : Optional.empty();
  }

  public EntmaxHead(HeadConfig<T> config) {
    this(config, DEFAULT_ALPHA, DEFAULT_LEARN_ALPHA, DEFAULT_BIAS);
  }

  /** alpha as a scalar operand: the constant, or 1 + sigmoid(a) when learned. */
  public Operand<T> alpha(Ops tf) {
    return alphaRaw.<Operand<T>>map(a -> tf.math.add(params.scalar(tf, 1), tf.math.sigmoid(a)))
        .orElseGet(() -> params.scalar(tf, alpha));
  }

  @Override
  protected Operand<T> scores(Ops tf, Operand<T> h) {
    return classes.apply(tf, h);
  }

  @Override
  protected Operand<T> map(Ops tf, Operand<T> z) {
    if (alphaRaw.isPresent()) {
      return Mappings.entmaxBisect(tf, z, alpha(tf), -1);
    }
    return alpha == 1.5 ? Mappings.entmax15(tf, z) : Mappings.entmaxBisect(tf, z, alpha);
  }

  @Override
  protected Operand<T> entropy(Ops tf, Operand<T> p) {
    if (alphaRaw.isEmpty()) {
      Operand<T> h = alpha == 1.5 ? Entropies.tsallis15(tf, p) : Entropies.tsallis(tf, p, alpha(tf));
      return tf.stopGradient(h);
    }
    // Entropies.tsallis has no gradient in alpha (it builds OnesLike, which has no C++ gradient);
    // for alpha in (1, 2) the Tsallis formula needs no Shannon branch.
    Operand<T> a = alpha(tf);
    Operand<T> one = params.scalar(tf, 1);
    Operand<T> sum = tf.reduceSum(tf.math.pow(p, a), tf.constant(-1), ReduceSum.keepDims(true));
    return tf.math.div(tf.math.sub(one, sum), tf.math.mul(a, tf.math.sub(a, one)));
  }

  @Override
  public Operand<T> loss(Operand<T> h, Operand<? extends TIntegral> labels) {
    Call<T> c = call("loss", h);
    Ops s = c.tf();
    Operand<T> z = scores(s, c.h());
    if (alphaRaw.isPresent()) {
      Operand<T> onehot = s.oneHot(labels, s.constant(config.classes()), params.scalar(s, 1), params.scalar(s, 0));
      return fenchelYoung(s, z, onehot);
    }
    return alpha == 1.5 ? Losses.entmax15Loss(s, z, labels) : Losses.entmaxBisectLoss(s, z, labels, alpha);
  }

  @Override
  public Optional<Operand<T>> classEmbeddings() {
    return Optional.of(classes.weights());
  }
}
