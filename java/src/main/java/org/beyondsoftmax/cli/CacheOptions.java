package org.beyondsoftmax.cli;

import org.beyondsoftmax.models.cache.CacheSettings;
import org.beyondsoftmax.models.cache.CacheTraining;
import org.beyondsoftmax.ops.CacheLosses;
import org.beyondsoftmax.train.ModelInfo;
import org.beyondsoftmax.train.TrainSettings;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The cache head's options of the commands that build one (train, eval, export-cache):
 * {@code --cache L}, {@code --cache-lambda}, {@code --cache-theta}, each checked against its
 * range with a message that names it.
 */
final class CacheOptions {
  @Option(names = "--cache", paramLabel = "L",
      description = "a neural cache of the last L (hidden state, next word) pairs, mixed with the head's "
          + "distribution (Grave et al. 2017); L >= 1")
  Integer size;

  @Option(names = "--cache-lambda", paramLabel = "LAMBDA",
      description = "the cache's weight in the mixture, in [0, 1] (default: " + CacheSettings.DEFAULT_LAMBDA + ")")
  Double lambda;

  @Option(names = "--cache-theta", paramLabel = "THETA",
      description = "the flatness of the cache distribution, p_cache ~ exp(theta h.h_i), > 0 (default: "
          + CacheSettings.DEFAULT_THETA + "; a cache trained with --cache-train: "
          + CacheSettings.DEFAULT_TRAINED_THETA + ", its scale in training too)")
  Double theta;

  /** Whether any cache option was given. */
  boolean given() {
    return size != null || lambda != null || theta != null;
  }

  /** Fails with exit status 2 and the option's name and range for a value outside it. */
  void check(CommandSpec spec) {
    if (size != null) {
      checkSize(spec, size);
    }
    if (lambda != null && !(lambda >= 0 && lambda <= 1)) {
      throw new ParameterException(spec.commandLine(), "--cache-lambda must be in [0, 1], got " + lambda);
    }
    if (theta != null && (!(theta > 0) || Double.isInfinite(theta))) {
      throw new ParameterException(spec.commandLine(), "--cache-theta must be finite and > 0, got " + theta);
    }
  }

  /** Fails with exit status 2 unless a cache of {@code size} memories (an {@code --cache L}) keeps any. */
  static void checkSize(CommandSpec spec, int size) {
    if (size < 1) {
      throw new ParameterException(spec.commandLine(), "--cache must be >= 1 (memories kept), got " + size);
    }
  }

  /**
   * Fails with status 2 when {@code info}'s model is not an LSTM: the cache's memory travels in the
   * recurrent state between windows, and a Transformer has none.
   */
  static void requireLstm(CommandSpec spec, ModelInfo info) {
    TrainSettings s = info.settings();
    if (s != null && !s.backboneConfig().recurrent()) {
      throw new ParameterException(spec.commandLine(), "--cache needs a model trained with --backbone lstm (its "
          + "memory travels in the LSTM's state), this one has --backbone " + s.backbone());
    }
  }

  /**
   * The cache these options give on top of {@code base} (a model's own cache, or null): its size,
   * lambda and theta where given, else the base's, else the defaults.
   *
   * @param trainedTheta theta when neither the options nor the base say (null: the default)
   */
  CacheSettings settings(CommandSpec spec, CacheSettings base, Double trainedTheta) {
    check(spec);
    if (size == null && base == null) {
      throw new ParameterException(spec.commandLine(), "give --cache L: the model has no cache of its own");
    }
    CacheSettings s = base != null ? base : new CacheSettings(size, CacheSettings.DEFAULT_LAMBDA,
        trainedTheta != null ? trainedTheta : CacheSettings.DEFAULT_THETA, CacheTraining.NONE,
        CacheLosses.HISTALIGN_WEIGHT, CacheLosses.HISTALIGN_MARGIN);
    if (size != null) {
      s = new CacheSettings(size, s.lambda(), s.theta(), s.training(), s.histAlignWeight(), s.histAlignMargin());
    }
    return s.withMixture(lambda != null ? lambda : s.lambda(), theta != null ? theta : s.theta());
  }
}
