package org.beyondsoftmax.models.lm;

import java.util.List;
import java.util.Objects;
import org.beyondsoftmax.models.attention.AttentionFactory;
import org.beyondsoftmax.models.spec.Spec;

/**
 * What a {@link LanguageModel} runs between its embedding and its head: an LSTM stack, recurrent,
 * whose state carries from one window to the next, or a causal Transformer, for which each window
 * of T positions is its own context (no state). Part of {@link LanguageModel.Config}; the width
 * (H or D) and the number of layers are the config's.
 */
public sealed interface Backbone permits Backbone.Lstm, Backbone.Transformer {
  /** The names the command line's {@code --backbone} takes. */
  List<String> NAMES = List.of(Lstm.NAME, Transformer.NAME);

  /** The LSTM backbone (1-8 layers of H units, {@link org.beyondsoftmax.models.nn.Lstm}). */
  Lstm LSTM = new Lstm();

  /** {@code lstm} or {@code transformer}. */
  String name();

  /** Whether the backbone carries a state from one window to the next. */
  boolean recurrent();

  /** The LSTM: recurrent, its state [B, H] per layer (c and h) carried between windows. */
  record Lstm() implements Backbone {
    public static final String NAME = "lstm";

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public boolean recurrent() {
      return true;
    }
  }

  /**
   * A causal Transformer ({@link org.beyondsoftmax.models.attention.Transformer}).
   *
   * @param attention the attention normaliser of every block
   * @param heads H, attention heads per block; must divide the width D
   * @param positions the learned positions: the longest input (prompt or window) the model reads
   */
  record Transformer(Spec<AttentionFactory> attention, int heads, int positions) implements Backbone {
    public static final String NAME = "transformer";

    public Transformer {
      Objects.requireNonNull(attention, "attention");
      if (heads < 1) {
        throw new IllegalArgumentException("heads must be >= 1, got " + heads);
      }
      if (positions < 1) {
        throw new IllegalArgumentException("positions must be >= 1, got " + positions);
      }
    }

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public boolean recurrent() {
      return false;
    }
  }
}
