package org.beyondsoftmax.models.heads;

import java.util.List;
import org.beyondsoftmax.models.nn.Dense;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Option;
import org.beyondsoftmax.models.spec.Spec;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TIntegral;

/**
 * Additive-margin softmax (Wang et al. 2018, "Additive Margin Softmax for Face Verification";
 * CosFace): cosine logits c_j = (h . w_j) / (|h| |w_j|), W [M, d] without bias. Training:
 * cross-entropy of s (c - m onehot(y)) ({@link Losses#amSoftmaxLoss}); with targets q the margin is
 * spread by the target mass ({@link Losses#amSoftmaxLossWithTargets}). Inference: plain
 * p = softmax(s c), no margin.
 */
public final class AmSoftmaxHead<T extends TFloating> extends FullSupportHead<T> {
  /** s, the scale of the cosines. */
  public static final Option<Double> SCALE = Option.real("scale", 30.0, v -> v > 0 && !v.isInfinite(),
      "finite and > 0", "s, the scale of the cosines");
  /** m, subtracted from the label's cosine in training. */
  public static final Option<Double> MARGIN = Option.real("margin", 0.35, v -> v >= 0 && !v.isInfinite(),
      "finite and >= 0", "m, subtracted from the label's cosine");
  public static final Kind<HeadFactory> KIND = Kind.of("amsoftmax",
      "additive-margin softmax on cosines (Wang et al. 2018); margin only in training",
      List.of(SCALE, MARGIN), AmSoftmaxHead::new);

  private final Dense<T> classes;
  private final double scale;
  private final double margin;

  public AmSoftmaxHead(HeadConfig<T> config, Spec<HeadFactory> spec) {
    super(config, spec, List.of(KIND));
    this.scale = spec.get(SCALE);
    this.margin = spec.get(MARGIN);
    this.classes = classLayer(false, false);
  }

  public AmSoftmaxHead(HeadConfig<T> config, double scale, double margin) {
    this(config, KIND.spec().with(SCALE, scale).with(MARGIN, margin));
  }

  public AmSoftmaxHead(HeadConfig<T> config) {
    this(config, KIND.spec());
  }

  /** The cosines c [N, M]. */
  private Operand<T> cosines(Ops tf, Operand<T> h) {
    return tf.linalg.matMul(unit(tf, h), unit(tf, classes.weights()), MatMul.transposeB(true));
  }

  @Override
  protected Operand<T> scores(Ops tf, Operand<T> h) {
    return tf.math.mul(cosines(tf, h), params.scalar(tf, scale));
  }

  @Override
  public Operand<T> loss(Operand<T> h, Operand<? extends TIntegral> labels) {
    Call<T> c = call("loss", h);
    return Losses.amSoftmaxLoss(c.tf(), cosines(c.tf(), c.h()), labels, scale, margin);
  }

  @Override
  public Operand<T> targetLoss(Operand<T> h, Operand<T> targets) {
    Call<T> c = call("targetLoss", h);
    return Losses.amSoftmaxLossWithTargets(c.tf(), cosines(c.tf(), c.h()), checkTargets(targets), scale, margin,
        LossOptions.defaults());
  }


  /** Rows scaled to unit length (rows of norm &lt; 1e-12 are left near 0). */
  private Operand<T> unit(Ops tf, Operand<T> x) {
    Operand<T> sq = tf.reduceSum(tf.math.square(x), tf.constant(-1), ReduceSum.keepDims(true));
    return tf.math.mul(x, tf.math.rsqrt(tf.math.maximum(sq, params.scalar(tf, 1e-24))));
  }
}
