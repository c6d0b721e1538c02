package org.beyondsoftmax.recall;

import java.util.List;
import org.beyondsoftmax.models.attention.AttentionFactory;
import org.beyondsoftmax.models.spec.Spec;

/**
 * Everything that determines a recall run: with the same settings it gives the same accuracies.
 *
 * @param attention the normalisers compared, one model each
 * @param keys K, values V: {@link RecallTask}
 * @param trainLength L of the training sequences (of all of them without a curriculum)
 * @param curriculum shorter training lengths first, increasing, each in [2, trainLength): the steps
 *     are split evenly over these lengths and then trainLength, in that order (empty: none); a
 *     shorter sequence is left-padded to trainLength with masked positions, so that the model sees
 *     exactly the shorter sequence
 * @param testLengths the L tested, each on {@code testSequences} fresh sequences
 * @param steps Adam steps of {@code batch} fresh sequences each
 */
public record RecallSettings(List<Spec<AttentionFactory>> attention, int keys, int values, int trainLength,
    List<Integer> curriculum, List<Integer> testLengths, int width, int layers, int heads, int steps, int batch,
    double learningRate, int testSequences, long seed) {
  public RecallSettings {
    attention = List.copyOf(attention);
    curriculum = List.copyOf(curriculum);
    testLengths = List.copyOf(testLengths);
    if (attention.isEmpty()) {
      throw new IllegalArgumentException("--attention must name at least one normaliser");
    }
    new RecallTask(keys, values);
    new RecallGraph.Size(width, layers, heads);
    if (trainLength < 2) {
      throw new IllegalArgumentException("--train-length must be >= 2 (a pair and the query), got " + trainLength);
    }
    for (int i = 0; i < curriculum.size(); i++) {
      int l = curriculum.get(i);
      if (l < 2 || l >= trainLength || (i > 0 && l <= curriculum.get(i - 1))) {
        throw new IllegalArgumentException("--curriculum must be increasing lengths in [2, --train-length "
            + trainLength + "), got " + curriculum);
      }
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

  /** Without a curriculum. */
  public RecallSettings(List<Spec<AttentionFactory>> attention, int keys, int values, int trainLength,
      List<Integer> testLengths, int width, int layers, int heads, int steps, int batch, double learningRate,
      int testSequences, long seed) {
    this(attention, keys, values, trainLength, List.of(), testLengths, width, layers, heads, steps, batch,
        learningRate, testSequences, seed);
  }

  /** The training length of step {@code step}: the curriculum's lengths, then trainLength, evenly. */
  public int trainLength(int step) {
    int phases = curriculum.size() + 1;
    int phase = (int) ((long) step * phases / steps);
    return phase < curriculum.size() ? curriculum.get(phase) : trainLength;
  }
}
