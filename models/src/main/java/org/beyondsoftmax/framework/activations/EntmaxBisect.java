package org.beyondsoftmax.framework.activations;

import java.util.Map;
import org.beyondsoftmax.framework.Arguments;
import org.beyondsoftmax.framework.Config;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * alpha-entmax by bisection (Peters et al. 2019; Blondel, Martins &amp; Niculae 2020, "Learning
 * with Fenchel-Young Losses"): p = max((alpha - 1) x - tau, 0)^(1/(alpha - 1)) with sum(p) = 1
 * ({@link Mappings#entmaxBisect}). alpha = 1 is softmax, 1.5 is 1.5-entmax, 2 is sparsemax; for
 * alpha &gt; 1 rows have exact zeros.
 *
 * <p>Train with {@link org.beyondsoftmax.framework.losses.EntmaxBisectLoss} (same alpha) on the
 * logits, not with a cross-entropy on these probabilities: the framework's
 * {@code CategoricalCrossentropy} clips a label probability of 0 to 1e-7 and gives a finite loss
 * with zero gradient on the label.
 */
public class EntmaxBisect extends MappingActivation {
  /** The name, as {@link BeyondActivations#create(String)} knows it. */
  public static final String NAME = "entmax_bisect";
  /** The configuration key of alpha. */
  public static final String ALPHA = "alpha";
  /** The default alpha, 1.5 (as deep-spin/entmax's {@code EntmaxBisect}). */
  public static final double ALPHA_DEFAULT = 1.5;

  private final double alpha;

  /** 1.5-entmax by bisection along the last axis. */
  public EntmaxBisect() {
    this(ALPHA_DEFAULT);
  }

  /** @param alpha &gt;= 1 */
  public EntmaxBisect(double alpha) {
    this(alpha, AXIS_DEFAULT);
  }

  /**
   * @param alpha &gt;= 1
   * @param axis the class axis, negative counts from the end
   */
  public EntmaxBisect(double alpha, int axis) {
    super(NAME, Arguments.atLeast(ALPHA, alpha, 1) > 1, axis, Map.of(ALPHA, alpha));
    this.alpha = alpha;
  }

  /** From a configuration map: {@code name} ("entmax_bisect"), {@code alpha} (1.5), {@code axis} (-1). */
  public EntmaxBisect(Map<String, Object> config) {
    this(read(config, NAME, ALPHA));
  }

  private EntmaxBisect(Config c) {
    this(c.real(ALPHA, ALPHA_DEFAULT), axis(c));
  }

  public double getAlpha() {
    return alpha;
  }

  @Override
  protected <T extends TFloating> Operand<T> map(Ops tf, Operand<T> x, int axis) {
    return Mappings.entmaxBisect(tf, x, alpha, axis);
  }
}
