package org.beyondsoftmax.models.lm;

/**
 * The names a language model's SavedModel answers to: its signatures, their inputs and outputs,
 * and the named tensors of its graph (the same names in {@link LanguageModelGraph}, which builds
 * them, and in {@link SavedLanguageModel}, which reads them without the model's code).
 *
 * <ul>
 *   <li>{@value #SERVING}: {@value #IDS} [B, T'] -&gt; {@value #TOP_IDS}, {@value #TOP_PROBABILITIES}
 *       [B, k], the k most probable next words after the last position;
 *   <li>{@value #LOG_PROB}: {@value #IDS}, {@value #TARGETS} [B, T'] -&gt; {@value #LOG_PROBS}
 *       [B, T'] (log p(target | ids so far); -inf where a sparse head gives 0) and, for sparse
 *       heads, {@value #SUPPORT} [B, T'] (the number of words with p &gt; 0);
 *   <li>{@value #NEXT_WORD}: {@value #IDS} -&gt; {@value #NEXT_LOG_PROBABILITIES} [B, V], the
 *       next word's log-probabilities (logits for calibration);
 *   <li>{@value #TRAIN_STEP}: {@value #IDS}, {@value #TARGETS} -&gt; {@value #LOSS}; running it
 *       applies one update, from a zero state.
 * </ul>
 *
 * Graph tensors beyond the signatures: {@value #WEIGHTS} [B, T'] (optional, ones), the state
 * {@code state_in_i} (optional, zeros) and its values after a training ({@code train_state_i}) or
 * inference ({@code eval_state_i}) pass, i = 0 .. 2L-1 (c0, h0, c1, h1, ...; the LSTM's only: a
 * Transformer has none, and a graph without {@code state_in_0} is read without state), the variables
 * {@value #LEARNING_RATE} and {@value #GLOBAL_STEP}.
 */
public final class Signatures {
  public static final String SERVING = "serving_default";
  public static final String LOG_PROB = "log_prob";
  public static final String TRAIN_STEP = "train_step";
  public static final String NEXT_WORD = "next_word";
  public static final String NEXT_LOG_PROBABILITIES = "log_probabilities";
  public static final String IDS = "ids";
  public static final String TARGETS = "targets";
  public static final String WEIGHTS = "weights";
  public static final String LOSS = "loss";
  public static final String TRAIN_LOSS = "train_loss";
  public static final String LOG_PROBS = "log_probs";
  public static final String SUPPORT = "support";
  public static final String TOP_IDS = "top_ids";
  public static final String TOP_PROBABILITIES = "top_probabilities";
  public static final String GRADIENT_NORM = "gradient_norm";
  public static final String LEARNING_RATE = "learning_rate";
  public static final String GLOBAL_STEP = "global_step";

  private Signatures() {}

  /** The name of the i-th initial-state input. */
  public static String stateIn(int i) {
    return "state_in_" + i;
  }

  /** The name of the i-th state after the training pass. */
  public static String trainState(int i) {
    return "train_state_" + i;
  }

  /** The name of the i-th state after the inference pass. */
  public static String evalState(int i) {
    return "eval_state_" + i;
  }
}
