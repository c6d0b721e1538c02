package org.beyondsoftmax.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * All results of a benchmark run, as written to JSON: {@code {"results": [...]}}, plus
 * {@code "failed": [...]} only when some op failed.
 */
public record BenchReport(
    @JsonProperty("results") List<BenchResult> results,
    @JsonProperty("failed") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<BenchFailure> failed) {

  /** The results and failures of {@code parts}, in order. */
  public static BenchReport concat(List<BenchReport> parts) {
    List<BenchResult> results = new ArrayList<>();
    List<BenchFailure> failed = new ArrayList<>();
    for (BenchReport p : parts) {
      results.addAll(p.results());
      failed.addAll(p.failed());
    }
    return new BenchReport(results, failed);
  }
}
