package org.beyondsoftmax.models.cache;

import java.util.Objects;
import org.beyondsoftmax.ops.CacheLosses;

/**
 * A cache of the last {@code size} (hidden state, next word) pairs and how it is used.
 *
 * <p>At inference the model's distribution is p = (1 - lambda) p_head + lambda p_cache with
 * p_cache(w) proportional to the sum of exp(theta h_t.h_i) over the memories i holding w
 * (Grave, Joulin &amp; Usunier 2017). lambda and theta are the defaults of the graph's inputs
 * {@code cache_lambda} and {@code cache_theta}: feeding them changes the mixture without a new
 * graph (a grid search). In training with TRIME or HistAlign, theta scales the memories'
 * similarities in the joint softmax ({@link #DEFAULT_TRAINED_THETA}), and a model trained so
 * gives TRIME's joint softmax at inference (see {@link CacheHead#joint}).
 *
 * @param size L &gt;= 1, the memories kept (and all a query may use)
 * @param lambda in [0, 1]
 * @param theta finite and &gt; 0
 * @param training how the model is trained with the cache
 * @param histAlignWeight the weight of HistAlign's margin loss, finite and &gt;= 0
 * @param histAlignMargin HistAlign's margin per rank step, finite and &gt;= 0
 */
public record CacheSettings(int size, double lambda, double theta, CacheTraining training,
    double histAlignWeight, double histAlignMargin) {
  /** Grave et al.'s order of magnitude; tuned per model by {@code beyond eval --tune-cache}. */
  public static final double DEFAULT_LAMBDA = 0.1;
  public static final double DEFAULT_THETA = 0.3;
  /**
   * theta of a cache trained with TRIME or HistAlign. Their code scales the similarities by
   * 1/sqrt(d) for a Transformer's hidden states, whose norms grow with d; an LSTM's states lie in
   * (-1, 1)^H, where 1/sqrt(H) caps the memories' logits at sqrt(H) and they cannot outweigh the
   * vocabulary's: on {@code beyond memory-task} (H = 32) TRIME and HistAlign reached 12-13 %
   * accuracy with 1/sqrt(H), 18 and 32 % with 1.
   */
  public static final double DEFAULT_TRAINED_THETA = 1.0;

  public CacheSettings {
    Objects.requireNonNull(training, "training");
    if (size < 1) {
      throw new IllegalArgumentException("cache size L must be >= 1, got " + size);
    }
    if (!(lambda >= 0 && lambda <= 1)) {
      throw new IllegalArgumentException("cache lambda must be in [0, 1], got " + lambda);
    }
    if (!(theta > 0) || Double.isInfinite(theta)) {
      throw new IllegalArgumentException("cache theta must be finite and > 0, got " + theta);
    }
    nonNegative("histAlignWeight", histAlignWeight);
    nonNegative("histAlignMargin", histAlignMargin);
  }

  /** A cache of {@code size} used at inference only, with the default lambda and theta. */
  public static CacheSettings untrained(int size) {
    return new CacheSettings(size, DEFAULT_LAMBDA, DEFAULT_THETA, CacheTraining.NONE,
        CacheLosses.HISTALIGN_WEIGHT, CacheLosses.HISTALIGN_MARGIN);
  }

  /** These settings with another lambda and theta. */
  public CacheSettings withMixture(double lambda, double theta) {
    return new CacheSettings(size, lambda, theta, training, histAlignWeight, histAlignMargin);
  }

  /** These settings trained by {@code training}, HistAlign with {@code weight} and {@code margin}. */
  public CacheSettings withTraining(CacheTraining training, double weight, double margin) {
    return new CacheSettings(size, lambda, theta, training, weight, margin);
  }

  private static void nonNegative(String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, got " + value);
    }
  }
}
