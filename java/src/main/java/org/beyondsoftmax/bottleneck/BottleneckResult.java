package org.beyondsoftmax.bottleneck;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import org.beyondsoftmax.bench.BenchResult;

/**
 * One (head, D, M) run of the experiment, as written to the JSON report.
 *
 * @param head the head's spec
 * @param kl mean over contexts of KL(P* || Q); for sparse heads of KL(P* || Q_eps), see
 *     {@code klSmoothing}
 * @param klSmoothing eps of Q_eps = (1 - eps) Q + eps/M for sparse heads (whose KL is infinite
 *     once Q_j = 0 &lt; P*_j); null for heads with full support
 * @param modeMatch percentage of contexts with argmax Q = argmax P*
 * @param logProbRank numerical rank of the first {@code rankRows} rows of log Q (log Q_eps for
 *     sparse heads), tolerance {@code rankTolerance} = max(N', M) sigma_max eps_float32
 * @param params trainable parameters of the head (class embeddings included; the N x D context
 *     embeddings, the same for every head, are not)
 * @param trainSeconds wall time of the training steps
 * @param finalLoss the training loss after the last step
 * @param plifSlopes statistics of the learned PLIF slopes (Ganea et al.'s table 2), PLIF heads only
 * @param support statistics of the support size |{j : Q_j &gt; 0}| per context, sparse heads only
 * @param spectrum singular values of the log-probability block and of the class embeddings
 * @param function the learned pointwise function on a grid (Ganea et al.'s figure 4), LMS heads only
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BottleneckResult(
    @JsonProperty("head") String head,
    @JsonProperty("dims") int dims,
    @JsonProperty("classes") int classes,
    @JsonProperty("contexts") int contexts,
    @JsonProperty("kl") double kl,
    @JsonProperty("kl_smoothing") Double klSmoothing,
    @JsonProperty("mode_match") double modeMatch,
    @JsonProperty("log_prob_rank") int logProbRank,
    @JsonProperty("rank_rows") int rankRows,
    @JsonProperty("rank_tolerance") double rankTolerance,
    @JsonProperty("params") long params,
    @JsonProperty("train_seconds") double trainSeconds,
    @JsonProperty("final_loss") double finalLoss,
    @JsonProperty("plif_slopes") Stats plifSlopes,
    @JsonProperty("support") Stats support,
    @JsonProperty("spectrum") Spectrum spectrum,
    @JsonProperty("function") Curve function) {

  /** mean, standard deviation, min, median and max of some values. */
  public record Stats(
      @JsonProperty("mean") double mean, @JsonProperty("std") double std,
      @JsonProperty("min") double min, @JsonProperty("median") double median,
      @JsonProperty("max") double max) {

    /** @param values at least one */
    public static Stats of(double[] values) {
      double median = BenchResult.median(values); // fails on no values
      double[] v = values.clone();
      Arrays.sort(v);
      double mean = Arrays.stream(v).average().orElse(Double.NaN);
      double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).average().orElse(Double.NaN);
      return new Stats(mean, Math.sqrt(var), v[0], median, v[v.length - 1]);
    }
  }

  /** Singular values, largest first. */
  public record Spectrum(
      @JsonProperty("log_prob") double[] logProb,
      @JsonProperty("class_embeddings") double[] classEmbeddings) {}

  /** f(x) at the points x. */
  public record Curve(@JsonProperty("x") double[] x, @JsonProperty("f") double[] f) {}

  /** Whether the KL is the smoothed one (a sparse head). */
  public boolean smoothed() {
    return klSmoothing != null;
  }
}
