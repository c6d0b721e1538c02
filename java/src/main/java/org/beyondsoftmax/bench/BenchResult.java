package org.beyondsoftmax.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;

/**
 * The timing of one op at one shape: median wall time of a forward+backward step and its ratio
 * to the softmax_ce baseline of the same shape (null when the baseline has no timing).
 */
public record BenchResult(
    @JsonProperty("op") String op,
    @JsonProperty("shape") List<Integer> shape,
    @JsonProperty("median_ms") double medianMs,
    @JsonProperty("ratio_to_softmax_ce") Double ratioToSoftmaxCe) {

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
