package org.beyondsoftmax.bottleneck;

import static org.beyondsoftmax.args.Arguments.atLeast;

import java.util.List;
import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.spec.Spec;

/**
 * The synthetic softmax-bottleneck experiment of Ganea et al. 2019 (section 5.1): N contexts with
 * targets P*(.|c) ~ Dirichlet(alpha) over M classes, a free D-dimensional embedding per context,
 * and each head trained by full-batch Adam to minimise the cross-entropy to P* (its Fenchel-Young
 * loss with soft targets for the sparse heads).
 *
 * @param contexts N
 * @param classes the values of M to run
 * @param dims the values of D to run
 * @param alpha the Dirichlet concentration of the targets
 * @param heads the heads to compare
 * @param steps Adam steps per run
 * @param seed fixes the targets, the initial values and hence every number
 * @param learningRate Adam's base learning rate
 * @param contextInitStd sigma of the context embeddings' initial values, normal(0, sigma^2)
 * @param rankRows N', the rows of the log-probability block whose rank is reported (capped at N)
 * @param klSmoothing eps of the smoothed KL reported for sparse heads, Q_eps = (1 - eps) Q + eps/M
 */
public record BottleneckSettings(
    int contexts, List<Integer> classes, List<Integer> dims, double alpha, List<Spec<HeadFactory>> heads,
    int steps, long seed, double learningRate, double contextInitStd, int rankRows, double klSmoothing) {

  public static final double DEFAULT_ALPHA = 0.1;
  public static final double DEFAULT_LEARNING_RATE = 0.05;
  public static final double DEFAULT_KL_SMOOTHING = 1e-4;
  /**
   * The context embeddings start normal(0, 0.1^2), near the origin, as the embeddings of the
   * PyTorch language models of Merity et al. 2018 and Yang et al. 2018 do (uniform(-0.1, 0.1),
   * their {@code init_weights}): Adam's first steps move every coordinate by about lr = 0.05, so
   * from this start the gradient, not the random draw, shapes them. From normal(0, 1) the tanh
   * contexts of the mixture of softmaxes saturate along random directions early and stay there,
   * and the fit ends behind an independent PyTorch run of the same task (issue 13: N = 1000,
   * M = 200, seed 3, 1500 steps; KL from normal(0, 1) / from normal(0, 0.1^2) / PyTorch: MoS K = 3
   * D = 4 1.597 / 1.525 / 1.53, D = 10 1.269 / 1.118 / 1.21; PLIF K = 1000 D = 10 1.110 / 1.100 /
   * 1.09, D = 4 1.428 / 1.466 / 1.47; softmax the same from either start).
   */
  public static final double DEFAULT_CONTEXT_INIT_STD = 0.1;

  public BottleneckSettings {
    atLeast("contexts", contexts, 2);
    if (classes.isEmpty() || dims.isEmpty() || heads.isEmpty()) {
      throw new IllegalArgumentException("classes, dims and heads must not be empty");
    }
    classes.forEach(m -> atLeast("classes", m, 2));
    dims.forEach(d -> atLeast("dims", d, 1));
    if (!(alpha > 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("alpha must be finite and > 0, got " + alpha);
    }
    atLeast("steps", steps, 0);
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be finite and > 0, got " + learningRate);
    }
    if (!(contextInitStd > 0) || Double.isInfinite(contextInitStd)) {
      throw new IllegalArgumentException("context init std must be finite and > 0, got " + contextInitStd);
    }
    atLeast("rank rows", rankRows, 1);
    if (!(klSmoothing > 0 && klSmoothing < 1)) {
      throw new IllegalArgumentException("kl smoothing must be in (0, 1), got " + klSmoothing);
    }
    classes = List.copyOf(classes);
    dims = List.copyOf(dims);
    heads = List.copyOf(heads);
  }

  /** The number of runs: one per (M, D, head). */
  public int runs() {
    return classes.size() * dims.size() * heads.size();
  }
}
