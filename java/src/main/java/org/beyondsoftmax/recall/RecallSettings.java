package org.beyondsoftmax.recall;

import java.util.List;
import org.beyondsoftmax.models.attention.AttentionFactory;
import org.beyondsoftmax.models.spec.Spec;

/**
 * Everything that determines a recall run: with the same settings it gives the same accuracies.
 *
 * @param attention the normalisers compared, one model each
 * @param keys K, values V: {@link RecallTask}
 * @param trainLength L of every training sequence
 * @param testLengths the L tested, each on {@code testSequences} fresh sequences
 * @param steps Adam steps of {@code batch} fresh sequences each
 */
public record RecallSettings(List<Spec<AttentionFactory>> attention, int keys, int values, int trainLength,
    List<Integer> testLengths, int width, int layers, int heads, int steps, int batch, double learningRate,
    int testSequences, long seed) {
  public RecallSettings {
    attention = List.copyOf(attention);
    testLengths = List.copyOf(testLengths);
    if (attention.isEmpty()) {
      throw new IllegalArgumentException("--attention must name at least one normaliser");
    }
    new RecallTask(keys, values);
    new RecallGraph.Size(width, layers, heads);
    if (trainLength < 2) {
      throw new IllegalArgumentException("--train-length must be >= 2 (a pair and the query), got " + trainLength);
    }
    if (testLengths.isEmpty() || testLengths.stream().anyMatch(l -> l < 2)) {
      throw new IllegalArgumentException("--test-lengths must be lengths >= 2, got " + testLengths);
    }
    if (steps < 1 || batch < 1 || testSequences < 1) {
      throw new IllegalArgumentException("--steps, --batch and --test-sequences must be >= 1, got " + steps + ", "
          + batch + ", " + testSequences);
    }
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("--lr must be finite and > 0, got " + learningRate);
    }
  }
}
