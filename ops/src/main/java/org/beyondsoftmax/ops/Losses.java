package org.beyondsoftmax.ops;

import java.util.List;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * Losses for integer class labels as TF-Java graph ops, all trainable ({@code tf.gradients}).
 *
 * <p>Each takes logits of any rank &gt;= 1 with a class axis, integer labels shaped like the logits
 * without that axis, and {@link LossOptions} (axis, {@link Reduction}, ignored label, sample
 * weights). The result has the logits' dtype: one loss per example ({@link Reduction#NONE}) or a
 * scalar.
 *
 * <p>Masks: -inf logits are dropped (no NaN); a label pointing at a -inf logit gives +inf; an
 * example whose logits are all -inf gives loss 0 and gradient 0 and does not count in the mean.
 * A label outside [0, M) (other than the ignored value) fails the run with a TensorFlow error.
 *
 * <p>Target distributions: the {@code *WithTargets} forms take, instead of labels, target
 * distributions q of the logits' shape (rows on the simplex along the class axis): cross-entropy
 * -sum_j q_j log p_j (terms with q_j = 0 left out, so 0 log 0 = 0 also where log p_j = -inf), and
 * the Fenchel-Young losses sum_j (p_j - q_j) z_j + Omega(p) - Omega(q) of the sparse mappings
 * ({@link ThresholdMapping}). With one-hot q they equal the label forms. {@code ignoreLabel} does
 * not apply to them.
 *
 * <p>The sparsemax, 1.5-entmax, alpha-entmax, sigsoftmax and PLIF losses build fused CPU kernels
 * when beyond-softmax-native is loaded; see {@link Kernels}.
 */
public final class Losses {
  private Losses() {}

  /** Per-row loss of [R, M] logits (class axis last, compute dtype) and flattened labels. */
  private interface RowLoss {
    /** @param rowMax the row maximum of z (gradient stopped; -inf for a row that is all -inf) */
    <T extends TNumber> Operand<T> apply(Ops tf, Operand<T> z, Operand<T> rowMax, Labels<?> labels);
  }

  /** Per-row loss [R] of [R, M] logits and target distributions q [R, M] (class axis last). */
  private interface TargetRowLoss {
    <T extends TNumber> Operand<T> apply(Ops tf, Operand<T> z, Operand<T> q);
  }

  /**
   * Softmax cross-entropy: L = log sum_j exp(z_j) - z_y, gradient softmax(z) - onehot(y). Trains
   * (TF-Java has no gradient for SparseSoftmaxCrossEntropyWithLogits).
   */
  public static <T extends TFloating> Operand<T> crossEntropy(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels, LossOptions options) {
    return build(tf, "crossEntropy", logits, labels, options, FenchelYoung::crossEntropy);
  }

  public static <T extends TFloating> Operand<T> crossEntropy(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels) {
    return crossEntropy(tf, logits, labels, LossOptions.defaults());
  }

  /**
   * Sigsoftmax cross-entropy (Kanai et al. 2018): L = -log sigsoftmax(z)_y = logsumexp(u) - u_y
   * with u = z + log sigmoid(z); gradient (p - onehot(y)) (2 - sigmoid(z)), p = sigsoftmax(z).
   */
  public static <T extends TFloating> Operand<T> sigsoftmaxCrossEntropy(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels, LossOptions options) {
    return build(tf, "sigsoftmaxCrossEntropy", logits, labels, options, SigsoftmaxCrossEntropy::rows);
  }

  public static <T extends TFloating> Operand<T> sigsoftmaxCrossEntropy(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels) {
    return sigsoftmaxCrossEntropy(tf, logits, labels, LossOptions.defaults());
  }

  /**
   * Cross-entropy of PLIF-transformed logits, the LMS-PLIF head's loss (Ganea et al. 2019):
   * L = logsumexp(f(z)) - f(z_y), f = {@link Mappings#plif}(z, slopesRaw, range); equal to
   * {@code crossEntropy(tf, Mappings.plif(tf, logits, slopesRaw, range), labels, options)}, which
   * is what it builds without the fused kernels. Differentiable in logits and slopesRaw.
   *
   * @param slopesRaw rank 1, K &gt;= 1 raw slopes, same dtype as logits
   * @param range T, finite and &gt; 0
   */
  public static <T extends TFloating> Operand<T> plifCrossEntropy(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels, Operand<T> slopesRaw,
      double range, LossOptions options) {
    PlifCrossEntropy.check(logits, slopesRaw, range);
    Optional<NativeKernels> fused = PlifCrossEntropy.fused(tf);
    if (fused.isEmpty()) {
      return crossEntropy(tf, Mappings.plif(tf, logits, slopesRaw, range), labels, options);
    }
    return build(tf, "plifCrossEntropy", logits, labels, options, new RowLoss() {
      public <U extends TNumber> Operand<U> apply(Ops s, Operand<U> z, Operand<U> max, Labels<?> l) {
        return PlifCrossEntropy.rows(fused.get(), s, z, slopesRaw, range, l);
      }
    });
  }

  public static <T extends TFloating> Operand<T> plifCrossEntropy(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels, Operand<T> slopesRaw,
      double range) {
    return plifCrossEntropy(tf, logits, labels, slopesRaw, range, LossOptions.defaults());
  }

  /**
   * Sparsemax loss (Martins &amp; Astudillo 2016), the Fenchel-Young loss of sparsemax:
   * L = sum_j p_j z_j + (1 - sum_j p_j^2)/2 - z_y, p = sparsemax(z); gradient p - onehot(y).
   */
  public static <T extends TFloating> Operand<T> sparsemaxLoss(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels, LossOptions options) {
    return build(tf, "sparsemaxLoss", logits, labels, options, Sparsemax.INSTANCE::labelLoss);
  }

  public static <T extends TFloating> Operand<T> sparsemaxLoss(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels) {
    return sparsemaxLoss(tf, logits, labels, LossOptions.defaults());
  }

  /**
   * 1.5-entmax loss (Peters et al. 2019), Fenchel-Young: L = sum_j p_j z_j + (1 - sum_j
   * p_j^1.5)/0.75 - z_y, p = entmax15(z); gradient p - onehot(y).
   */
  public static <T extends TFloating> Operand<T> entmax15Loss(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels, LossOptions options) {
    return build(tf, "entmax15Loss", logits, labels, options, Entmax15.INSTANCE::labelLoss);
  }

  public static <T extends TFloating> Operand<T> entmax15Loss(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels) {
    return entmax15Loss(tf, logits, labels, LossOptions.defaults());
  }

  /**
   * alpha-entmax loss (Blondel et al. 2020), Fenchel-Young with the Tsallis alpha-entropy:
   * L = sum_j p_j z_j + (1 - sum_j p_j^alpha)/(alpha(alpha - 1)) - z_y; alpha = 1 is
   * cross-entropy. Gradient to the logits p - onehot(y) (alpha is held constant here).
   *
   * @param alpha &gt;= 1, finite
   */
  public static <T extends TFloating> Operand<T> entmaxBisectLoss(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels, double alpha, LossOptions options) {
    Checks.finite("alpha", alpha);
    if (alpha < 1) {
      throw new IllegalArgumentException("alpha must be >= 1, got " + alpha);
    }
    return build(tf, "entmaxBisectLoss", logits, labels, options, new RowLoss() {
      public <U extends TNumber> Operand<U> apply(Ops s, Operand<U> z, Operand<U> max, Labels<?> l) {
        return new EntmaxBisect(Rows.scalar(s, alpha, z)).labelLoss(s, z, max, l);
      }
    });
  }

  public static <T extends TFloating> Operand<T> entmaxBisectLoss(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels, double alpha) {
    return entmaxBisectLoss(tf, logits, labels, alpha, LossOptions.defaults());
  }

  /**
   * Top-k softmax loss ("sparse softmax", Sun et al. 2021): cross-entropy over the k largest
   * logits and the label, L = log sum_{j in topk(z) + {y}} exp(z_j) - z_y; gradient p - onehot(y)
   * with p the softmax over that set.
   *
   * @param k &gt;= 1; larger than the axis means plain cross-entropy
   */
  public static <T extends TFloating> Operand<T> topKSoftmaxLoss(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels, int k, LossOptions options) {
    Checks.atLeast("k", k, 1);
    return build(tf, "topKSoftmaxLoss", logits, labels, options, new RowLoss() {
      public <U extends TNumber> Operand<U> apply(Ops s, Operand<U> z, Operand<U> max, Labels<?> l) {
        Operand<TBool> keep = s.math.logicalOr(TopKSoftmax.keep(s, z, k), isLabel(s, z, l));
        Operand<U> kept = s.select(keep, z, Rows.scalar(s, Double.NEGATIVE_INFINITY, z));
        return FenchelYoung.crossEntropy(s, kept, max, l);
      }
    });
  }

  public static <T extends TFloating> Operand<T> topKSoftmaxLoss(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels, int k) {
    return topKSoftmaxLoss(tf, logits, labels, k, LossOptions.defaults());
  }

  /**
   * Additive-margin softmax loss (Wang et al. 2018, "Additive Margin Softmax for Face
   * Verification"; CosFace): cross-entropy of scale (cos - margin onehot(y)).
   *
   * @param cosines cosine similarities in [-1, 1] (the class axis holds the classes)
   * @param scale &gt; 0
   * @param margin finite, &gt;= 0
   */
  public static <T extends TFloating> Operand<T> amSoftmaxLoss(
      Ops tf, Operand<T> cosines, Operand<? extends TType> labels, double scale, double margin,
      LossOptions options) {
    checkMargin(scale, margin);
    return build(tf, "amSoftmaxLoss", cosines, labels, options, new RowLoss() {
      public <U extends TNumber> Operand<U> apply(Ops s, Operand<U> z, Operand<U> max, Labels<?> l) {
        Operand<U> margins =
            s.select(isLabel(s, z, l), Rows.scalar(s, margin, z), s.zerosLike(z));
        Operand<U> logits = s.math.mul(Rows.scalar(s, scale, z), s.math.sub(z, margins));
        return FenchelYoung.crossEntropy(s, logits, Rows.maxLast(s, s.stopGradient(logits)), l);
      }
    });
  }

  public static <T extends TFloating> Operand<T> amSoftmaxLoss(
      Ops tf, Operand<T> cosines, Operand<? extends TType> labels, double scale, double margin) {
    return amSoftmaxLoss(tf, cosines, labels, scale, margin, LossOptions.defaults());
  }

  /**
   * Taylor cross-entropy (de Brébisson &amp; Vincent 2016): -log of the Taylor softmax at the
   * label, L = log sum_j f(z_j) - log f(z_y), f(z) = sum_{i=0..order} z^i/i!.
   *
   * @param order even and &gt;= 2
   */
  public static <T extends TFloating> Operand<T> taylorCrossEntropy(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels, int order, LossOptions options) {
    Mappings.checkOrder(order);
    return build(tf, "taylorCrossEntropy", logits, labels, options, new RowLoss() {
      public <U extends TNumber> Operand<U> apply(Ops s, Operand<U> z, Operand<U> max, Labels<?> l) {
        return s.math.neg(l.pick(s, TaylorSoftmax.logLastAxis(s, z, order)));
      }
    });
  }

  public static <T extends TFloating> Operand<T> taylorCrossEntropy(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels, int order) {
    return taylorCrossEntropy(tf, logits, labels, order, LossOptions.defaults());
  }

  /**
   * alpha-entmax loss with alpha a tensor (Correia, Niculae &amp; Martins 2019, "Adaptively Sparse
   * Transformers", learn alpha this way): the Fenchel-Young loss of {@link
   * #entmaxBisectLoss(Ops, Operand, Operand, double, LossOptions)}, differentiable in the logits
   * (p - onehot(y)) and in alpha (dOmega_alpha(p)/dalpha, Danskin).
   *
   * @param alpha a scalar or one value per example (the labels' shape), &gt;= 1 (checked when the
   *     graph runs), the logits' dtype
   */
  public static <T extends TFloating> Operand<T> entmaxBisectLoss(
      Ops tf, Operand<T> logits, Operand<? extends TType> labels, Operand<T> alpha,
      LossOptions options) {
    checkAlpha(alpha, logits, labels);
    return build(tf, "entmaxBisectLoss", logits, labels, options, new RowLoss() {
      public <U extends TNumber> Operand<U> apply(Ops s, Operand<U> z, Operand<U> max, Labels<?> l) {
        return new EntmaxBisect(alphaRows(s, alpha, z)).labelLoss(s, z, max, l);
      }
    });
  }

  /**
   * Cross-entropy with target distributions q: L = -sum_j q_j log softmax(z)_j, terms with
   * q_j = 0 left out; gradient softmax(z) sum(q) - q.
   *
   * @param targets q, the logits' shape and dtype
   */
  public static <T extends TFloating> Operand<T> crossEntropyWithTargets(
      Ops tf, Operand<T> logits, Operand<T> targets, LossOptions options) {
    return buildWithTargets(tf, "crossEntropyWithTargets", logits, targets, options, new TargetRowLoss() {
      public <U extends TNumber> Operand<U> apply(Ops s, Operand<U> z, Operand<U> q) {
        return FenchelYoung.crossEntropyWithTargets(
            s, Softmax.family(s, z, NativeKernels.SoftmaxMode.LOG_SOFTMAX), q);
      }
    });
  }

  /** The sparsemax loss with target distributions q (Fenchel-Young, Gini entropy). */
  public static <T extends TFloating> Operand<T> sparsemaxLossWithTargets(
      Ops tf, Operand<T> logits, Operand<T> targets, LossOptions options) {
    return buildWithTargets(tf, "sparsemaxLossWithTargets", logits, targets, options, Sparsemax.INSTANCE::targetLoss);
  }

  /** The 1.5-entmax loss with target distributions q (Fenchel-Young, Tsallis 1.5-entropy). */
  public static <T extends TFloating> Operand<T> entmax15LossWithTargets(
      Ops tf, Operand<T> logits, Operand<T> targets, LossOptions options) {
    return buildWithTargets(tf, "entmax15LossWithTargets", logits, targets, options, Entmax15.INSTANCE::targetLoss);
  }

  /**
   * The alpha-entmax loss with target distributions q: sum_j (p_j - q_j) z_j + Omega_alpha(p) -
   * Omega_alpha(q); differentiable in alpha (dOmega_alpha(p)/dalpha - dOmega_alpha(q)/dalpha).
   *
   * @param alpha as in {@link #entmaxBisectLoss(Ops, Operand, Operand, Operand, LossOptions)}
   */
  public static <T extends TFloating> Operand<T> entmaxBisectLossWithTargets(
      Ops tf, Operand<T> logits, Operand<T> targets, Operand<T> alpha, LossOptions options) {
    checkAlpha(alpha, logits, null);
    return buildWithTargets(tf, "entmaxBisectLossWithTargets", logits, targets, options, new TargetRowLoss() {
      public <U extends TNumber> Operand<U> apply(Ops s, Operand<U> z, Operand<U> q) {
        return new EntmaxBisect(alphaRows(s, alpha, z)).targetLoss(s, z, q);
      }
    });
  }

  /**
   * The top-k softmax loss with target distributions q: cross-entropy over the k largest logits
   * and the support of q, -sum_j q_j log softmax_S(z)_j, S = topk(z) + {j : q_j &gt; 0}.
   */
  public static <T extends TFloating> Operand<T> topKSoftmaxLossWithTargets(
      Ops tf, Operand<T> logits, Operand<T> targets, int k, LossOptions options) {
    Checks.atLeast("k", k, 1);
    return buildWithTargets(tf, "topKSoftmaxLossWithTargets", logits, targets, options, new TargetRowLoss() {
      public <U extends TNumber> Operand<U> apply(Ops s, Operand<U> z, Operand<U> q) {
        Operand<TBool> keep = s.math.logicalOr(
            s.math.greater(TopKSoftmax.lastAxis(s, s.stopGradient(z), k), s.zerosLike(z)),
            s.math.greater(q, s.zerosLike(q)));
        Operand<U> kept = s.select(keep, z, Rows.scalar(s, Double.NEGATIVE_INFINITY, z));
        return FenchelYoung.crossEntropyWithTargets(
            s, Softmax.family(s, kept, NativeKernels.SoftmaxMode.LOG_SOFTMAX), q);
      }
    });
  }

  /**
   * The additive-margin softmax loss with target distributions q: the margin is spread by the
   * target mass, -sum_j q_j log softmax(scale (cos - margin q))_j.
   */
  public static <T extends TFloating> Operand<T> amSoftmaxLossWithTargets(
      Ops tf, Operand<T> cosines, Operand<T> targets, double scale, double margin,
      LossOptions options) {
    checkMargin(scale, margin);
    return buildWithTargets(tf, "amSoftmaxLossWithTargets", cosines, targets, options, new TargetRowLoss() {
      public <U extends TNumber> Operand<U> apply(Ops s, Operand<U> z, Operand<U> q) {
        Operand<U> logits = s.math.mul(Rows.scalar(s, scale, z),
            s.math.sub(z, s.math.mul(Rows.scalar(s, margin, z), q)));
        return FenchelYoung.crossEntropyWithTargets(
            s, Softmax.family(s, logits, NativeKernels.SoftmaxMode.LOG_SOFTMAX), q);
      }
    });
  }

  private static void checkAlpha(Operand<?> alpha, Operand<?> logits, Operand<?> labels) {
    Checks.floating("alpha", alpha);
    Checks.sameType("alpha", alpha, "the logits", logits);
    int rank = alpha.shape().numDimensions();
    if (rank > 0 && (labels == null || !alpha.shape().isCompatibleWith(labels.shape()))) {
      throw new IllegalArgumentException("alpha must be a scalar"
          + (labels == null ? "" : " or have the labels' shape " + labels.shape())
          + ", got shape " + alpha.shape());
    }
  }

  /** alpha laid out per row of the [R, M] logits z: a scalar stays one, else [R, 1]. */
  @SuppressWarnings("unchecked")
  private static <U extends TNumber> Operand<U> alphaRows(Ops s, Operand<?> alpha, Operand<U> z) {
    Operand<U> a = Alpha.atLeastOne(s, s.dtypes.cast(alpha, z.type()));
    return alpha.shape().numDimensions() == 0 ? a : s.reshape(a, s.constant(new int[] {-1, 1}));
  }

  private static void checkMargin(double scale, double margin) {
    Checks.positive("scale", scale);
    Checks.finite("margin", margin);
    if (margin < 0) {
      throw new IllegalArgumentException("margin must be >= 0, got " + margin);
    }
  }

  private static <U extends TNumber> Operand<TBool> isLabel(Ops tf, Operand<U> z, Labels<?> l) {
    Operand<TInt32> classes = tf.range(tf.constant(0), Rows.lastDim(tf, z), tf.constant(1));
    Operand<TInt32> y = tf.dtypes.cast(l.safe, TInt32.class);
    return tf.math.equal(tf.expandDims(classes, tf.constant(0)), tf.expandDims(y, tf.constant(-1)));
  }

  /** Validation, layout, flattening to [R, M], masking, weights and reduction around a row loss. */
  private static <T extends TFloating> Operand<T> build(
      Ops tf, String name, Operand<T> logits, Operand<? extends TType> labels,
      LossOptions options, RowLoss rowLoss) {
    Ops s = tf.withSubScope(name);
    ClassAxis ax = ClassAxis.of(s, logits, options.axis());
    Checks.integer("labels", labels);
    Checks.labelShape("labels", labels, logits, ax.axis());
    options.weights().ifPresent(w -> Checks.floating("weights", w));
    Operand<TNumber> x = ax.toLast(logits);
    Operand<TInt32> classes = Rows.lastDim(s, x);
    Operand<TNumber> z =
        s.reshape(x, s.stack(List.of(s.constant(-1), classes)));
    Labels<?> l = Labels.of(s, labels, classes, options.ignoreLabel());
    Operand<TNumber> rowMax = Rows.maxLast(s, s.stopGradient(z));
    Operand<TNumber> perRow = rowLoss.apply(s, z, rowMax, l);
    return reduce(s, ax, perRow, rowMax, l.counted, s.shape(labels), options);
  }

  /** Validation, layout, flattening to [R, M], masking, weights and reduction, with targets q. */
  private static <T extends TFloating> Operand<T> buildWithTargets(
      Ops tf, String name, Operand<T> logits, Operand<T> targets, LossOptions options,
      TargetRowLoss rowLoss) {
    Ops s = tf.withSubScope(name);
    ClassAxis ax = ClassAxis.of(s, logits, options.axis());
    Checks.floating("targets", targets);
    Checks.sameType("targets", targets, "the logits", logits);
    if (!targets.shape().isCompatibleWith(logits.shape())) {
      throw new IllegalArgumentException("targets must have the shape of the logits " + logits.shape()
          + " (one distribution per example), got " + targets.shape());
    }
    options.weights().ifPresent(w -> Checks.floating("weights", w));
    Operand<TNumber> x = ax.toLast(logits);
    Operand<TInt32> classes = Rows.lastDim(s, x);
    Operand<TInt32> rowsShape = s.stack(List.of(s.constant(-1), classes));
    Operand<TNumber> z = s.reshape(x, rowsShape);
    Operand<TNumber> q = s.reshape(ax.toLast(targets), rowsShape);
    Operand<TNumber> rowMax = Rows.maxLast(s, s.stopGradient(z));
    Operand<TNumber> perRow = rowLoss.apply(s, z, q);
    return reduce(s, ax, perRow, rowMax, null, Rows.leadingShape(s, x), options);
  }

  /**
   * Masking, weights and reduction of per-row losses [R]: rows whose logits are all -inf and rows
   * not counted give loss 0 (and gradient 0) and do not count in the mean.
   *
   * @param countedRows [R], false for ignored labels; null: every row counts
   */
  private static <T extends TFloating> Operand<T> reduce(Ops s, ClassAxis ax, Operand<TNumber> perRow,
      Operand<TNumber> rowMax, Operand<TBool> countedRows, Operand<TInt32> exampleShape,
      LossOptions options) {
    Operand<TBool> live =
        s.math.notEqual(
            FenchelYoung.squeezeLast(s, rowMax), Rows.scalar(s, Double.NEGATIVE_INFINITY, perRow));
    Operand<TBool> counted = countedRows == null ? live : s.math.logicalAnd(countedRows, live);
    perRow = s.select(counted, perRow, s.zerosLike(perRow));
    Operand<TNumber> perExample = s.reshape(perRow, exampleShape);
    Operand<TNumber> countedShaped = s.reshape(s.dtypes.cast(counted, perRow.type()), exampleShape);
    Operand<TNumber> weights = countedShaped;
    if (options.weights().isPresent()) {
      Operand<TNumber> w = ax.compute(options.weights().get());
      perExample = s.math.mul(perExample, w);
      weights = s.math.mul(countedShaped, w);
    }
    Operand<TNumber> result =
        switch (options.reduction()) {
          case NONE -> perExample;
          case SUM -> s.reduceSum(perExample, allAxes(s, perExample));
          case MEAN -> s.math.divNoNan(
              s.reduceSum(perExample, allAxes(s, perExample)),
              s.reduceSum(weights, allAxes(s, weights)));
        };
    return ax.restoreReduced(result);
  }

  private static Operand<TInt32> allAxes(Ops tf, Operand<?> x) {
    return tf.range(tf.constant(0), tf.rank(x), tf.constant(1));
  }
}
