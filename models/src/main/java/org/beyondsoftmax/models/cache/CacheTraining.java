package org.beyondsoftmax.models.cache;

import java.util.Arrays;
import java.util.Locale;

/** How a model with a cache is trained: without the cache, or with TRIME's or HistAlign's loss. */
public enum CacheTraining {
  /** The head's own loss; the cache is used at inference only (Grave et al. 2017: no training). */
  NONE,
  /**
   * TRIME (Zhong, Lei &amp; Chen 2022): one softmax over the vocabulary logits and the memories'
   * similarities ({@code CacheLosses.trimeLoss}).
   */
  TRIME,
  /**
   * HistAlign (Wan, Zhang &amp; Bansal 2023): TRIME's loss plus the order-informed margin loss that
   * aligns queries with the memories of the right word ({@code CacheLosses.histAlignLoss}).
   */
  HISTALIGN;

  /** The name on the command line and in JSON: none, trime, histalign. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode called {@code label} (none, trime, histalign). */
  public static CacheTraining parse(String label) {
    return Arrays.stream(values()).filter(v -> v.label().equals(label)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("cache training must be one of "
            + Arrays.stream(values()).map(CacheTraining::label).toList() + ", got '" + label + "'"));
  }
}
