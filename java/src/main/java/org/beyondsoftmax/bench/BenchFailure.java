package org.beyondsoftmax.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** An op that could not be built or run at one shape (e.g. out of memory), with the error. */
public record BenchFailure(
    @JsonProperty("op") String op,
    @JsonProperty("shape") List<Integer> shape,
    @JsonProperty("error") String error) {}
