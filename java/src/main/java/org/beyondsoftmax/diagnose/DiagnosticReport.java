package org.beyondsoftmax.diagnose;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * What {@code beyond diagnose} finds, as written to its JSON (snake_case names). Definitions, with
 * their sources, are in {@link #definitions} of the file itself, so the file reads on its own.
 *
 * @param model the model directory
 * @param backbone {@code lstm} or {@code transformer}
 * @param head the output head's spec
 * @param attention the attention normaliser's spec (null for the LSTM)
 * @param windows windows of T tokens read; {@code tokens} = windows T
 * @param attentionHeads per layer and head (empty for the LSTM)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DiagnosticReport(String model, String corpus, String split, String backbone, String head,
    String attention, int windows, int steps, long tokens, List<AttentionHead> attentionHeads,
    OutputLayer outputLayer, Map<String, String> definitions) {

  /**
   * One attention head's means over the causal rows read ({@link AttentionStatistics}).
   *
   * @param meanEntropy mean H(p) in nats of the rows normalised to sum 1 (null if every row had
   *     mass 0)
   * @param meanMaxEntropy mean log n: the uniform row's entropy, an upper bound of meanEntropy
   * @param meanSupport mean number of keys with weight &gt; 0
   * @param meanKeys mean number of keys a query sees (n = t + 1)
   * @param meanMass mean sum of a row's weights
   * @param topKMass k to the mean share of a row's mass on its k largest weights
   * @param learned the normaliser's per-head values (alpha, s), if it has any
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record AttentionHead(int layer, int head, long rows, Double meanEntropy, double meanMaxEntropy,
      double meanSupport, double meanKeys, double meanMass, @JsonProperty("top_k_mass") Map<String, Double> topKMass,
      Map<String, Double> learned) {}

  /**
   * The output layer: its class-embedding matrix (null when the head has none: {@code absent}
   * says so by name), log-probabilities on a sample of contexts, the last hidden states.
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record OutputLayer(ClassEmbeddings classEmbeddings, String absent, LogProbabilities logProbabilities,
      Anisotropy anisotropy) {}

  /**
   * @param matrix what the matrix is for this head
   * @param singularValues largest first
   * @param effectiveRank Roy &amp; Vetterli's exp(H(sigma / sum sigma)), in [1, min(rows, cols)]
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record ClassEmbeddings(String matrix, int rows, int cols, double[] singularValues, double effectiveRank) {}

  /**
   * The matrix L [contexts, classes] of log p (a sparse head's eps-smoothed).
   *
   * @param numericalRank singular values above {@code tolerance} = eps_float32 sqrt(contexts
   *     classes) max |L_ij|, a bound of the spectral norm of L's float32 rounding error (|E|_2 &lt;=
   *     |E|_F &lt;= sqrt(m n) eps max |L_ij|): what lies below it is noise
   * @param numpyRank singular values above NumPy matrix_rank's default, max(contexts, classes)
   *     sigma_1 eps_float32; much looser here, as sigma_1 of log p is dominated by its mean (the
   *     bottleneck experiment's measure, kept for comparison)
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record LogProbabilities(int contexts, int classes, Double smoothing, double[] singularValues,
      int numericalRank, double tolerance, int numpyRank, double numpyTolerance, double effectiveRank) {}

  /**
   * @param states hidden states h_i averaged over
   * @param meanCosine mean over pairs i != j of cos(h_i, h_j), in [-1, 1]
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Anisotropy(long states, int dims, double meanCosine) {}
}
