package org.beyondsoftmax.models.attention;

import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * What an attention normaliser needs to create its per-head variables: the graph ({@code tf},
 * whose scope names them), the dtype, the number of heads H and a seed for initial values.
 */
public record AttentionConfig<T extends TFloating>(Ops tf, Class<T> dtype, int heads, long seed) {
  public AttentionConfig {
    if (heads < 1) {
      throw new IllegalArgumentException("heads must be >= 1, got " + heads);
    }
  }
}
