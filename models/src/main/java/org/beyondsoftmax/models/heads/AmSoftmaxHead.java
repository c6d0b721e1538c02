package org.beyondsoftmax.models;

import java.util.Optional;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
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
 * spread by the target mass, -sum_j q_j log softmax(s (c - m q))_j. Inference: plain
 * p = softmax(s c), no margin.
 */
public final class AmSoftmaxHead<T extends TFloating> extends FullSupportHead<T> {
  public static final String NAME = "amsoftmax";
  public static final double DEFAULT_SCALE = 30.0;
  public static final double DEFAULT_MARGIN = 0.35;

  private final Dense<T> classes;
  private final double scale;
  private final double margin;

  /**
   * @param scale s &gt; 0
   * @param margin m &gt;= 0
   */
  public AmSoftmaxHead(HeadConfig<T> config, double scale, double margin) {
    super(config, HeadSpec.of(NAME).withIfNot("scale", scale, DEFAULT_SCALE)
        .withIfNot("margin", margin, DEFAULT_MARGIN));
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be finite and > 0, got " + scale);
    }
    if (!(margin >= 0) || Double.isInfinite(margin)) {
      throw new IllegalArgumentException("margin must be finite and >= 0, got " + margin);
    }
    this.scale = scale;
    this.margin = margin;
    this.classes = Dense.classes(params, false, false);
  }

  public AmSoftmaxHead(HeadConfig<T> config) {
    this(config, DEFAULT_SCALE, DEFAULT_MARGIN);
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
    Ops s = c.tf();
    return Losses.amSoftmaxLoss(s, cosines(s, c.h()), labels, scale, margin);
  }

  @Override
  public Operand<T> targetLoss(Operand<T> h, Operand<T> targets) {
    Call<T> c = call("targetLoss", h);
    Ops s = c.tf();
    Operand<T> q = Targets.check(targets, config);
    Operand<T> logits = s.math.mul(params.scalar(s, scale),
        s.math.sub(cosines(s, c.h()), s.math.mul(params.scalar(s, margin), q)));
    return Targets.crossEntropy(s, Mappings.logSoftmax(s, logits), q);
  }

  @Override
  public Optional<Operand<T>> classEmbeddings() {
    return Optional.of(classes.weights());
  }

  /** Rows scaled to unit length (rows of norm &lt; 1e-12 are left near 0). */
  private Operand<T> unit(Ops tf, Operand<T> x) {
    Operand<T> sq = tf.reduceSum(tf.math.square(x), tf.constant(-1), ReduceSum.keepDims(true));
    return tf.math.mul(x, tf.math.rsqrt(tf.math.maximum(sq, params.scalar(tf, 1e-24))));
  }
}
