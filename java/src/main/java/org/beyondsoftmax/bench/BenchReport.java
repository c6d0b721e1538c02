package org.beyondsoftmax.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * All results of a benchmark run, as written to JSON: {@code {"results": [...]}}, plus
 * {@code "failed": [...]} only when some op failed.
 */
public record BenchReport(
    @JsonProperty("results") List<BenchResult> results,
    @JsonProperty("failed") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<BenchFailure> failed) {}
