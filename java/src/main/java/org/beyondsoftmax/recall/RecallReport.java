package org.beyondsoftmax.recall;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Map;

/**
 * What {@code beyond recall} found: per normaliser the accuracy at each test length (chance is
 * 1 / values), the last training loss and the seconds it took.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record RecallReport(RecallSettings settings, double chance, String positions, List<Result> results) {
  /**
   * @param accuracy test length to the share of queries answered right
   */
  @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
  public record Result(String attention, Map<Integer, Double> accuracy, double finalLoss, double seconds) {}
}
