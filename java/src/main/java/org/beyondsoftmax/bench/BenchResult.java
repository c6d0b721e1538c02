package org.beyondsoftmax.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;

/**
 * The timing of one op at one shape: median wall time of a forward+backward step and its ratio
 * to the baseline op of the same run and shape (softmax_ce for the output-layer ops,
 * softmax_attention for the attention normalisers; null when the baseline has no timing).
 */
public record BenchResult(
    @JsonProperty("op") String op,
    @JsonProperty("shape") List<Integer> shape,
    @JsonProperty("median_ms") double medianMs,
    @JsonProperty("baseline") String baseline,
    @JsonProperty("ratio") Double ratio) {

  /** The median of {@code values} (mean of the middle two for an even count). */
  public static double median(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("values must not be empty");
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }
}
