package org.beyondsoftmax.recall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.beyondsoftmax.models.attention.Normalisers;
import org.junit.jupiter.api.Test;

/**
 * The recall task's data is what it says, and a tiny Transformer learns it well above chance at
 * its training length; runs are deterministic.
 */
class RecallExperimentTest {
  @Test
  void sequencesHoldOneMatchingPairAndTheQueryLast() {
    RecallTask task = new RecallTask(5, 3);
    RecallTask.Batch b = task.sample(new SplittableRandom(7), 50, 9);
    for (int s = 0; s < b.batch(); s++) {
      int q = b.keys()[s * 9 + 8] - 5;
      assertTrue(q >= 0 && q < 5, "the query uses the query keys [K, 2K)");
      assertEquals(3, b.values()[s * 9 + 8], "the query has no value");
      int matches = 0;
      for (int i = 0; i < 8; i++) {
        int k = b.keys()[s * 9 + i];
        assertTrue(k >= 0 && k < 5);
        if (k == q) {
          matches++;
          assertEquals(b.answers()[s], b.values()[s * 9 + i], "the answer is the matching pair's value");
        }
      }
      assertEquals(1, matches, "exactly one pair has the query's key");
    }
  }

  @Test
  void learnsAboveChanceAtTheTrainingLengthDeterministically() {
    RecallSettings s = new RecallSettings(List.of(Normalisers.parse("softmax")), 8, 4, 8, List.of(8, 16),
        16, 1, 2, 400, 32, 0.01, 256, 3);
    RecallReport a = RecallExperiment.run(s, r -> {});
    double accuracy = a.results().get(0).accuracy().get(8);
    assertTrue(accuracy > 0.6, "well above chance 0.25 at the training length: " + a.results());
    RecallReport b = RecallExperiment.run(s, r -> {});
    assertEquals(a.results().get(0).accuracy(), b.results().get(0).accuracy(), "same seed, same accuracies");
  }

  @Test
  void badSettingsNameTheOption() {
    var softmax = List.of(Normalisers.parse("softmax"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new RecallSettings(softmax, 1, 4, 8, List.of(8),
        16, 1, 2, 1, 1, 0.01, 1, 3)).getMessage().startsWith("--keys must be >= 2"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new RecallSettings(softmax, 8, 4, 1, List.of(8),
        16, 1, 2, 1, 1, 0.01, 1, 3)).getMessage().startsWith("--train-length must be >= 2"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new RecallSettings(softmax, 8, 4, 8, List.of(8),
        16, 1, 3, 1, 1, 0.01, 1, 3)).getMessage().contains("--attention-heads"));
  }
}
