package org.beyondsoftmax.recall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.beyondsoftmax.models.attention.Normalisers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

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

  @ParameterizedTest
  @ValueSource(strings = {"softmax", "sparsemax", "entmax", "entmax:alpha=1.3", "ssmax", "softpick", "sigmoid"})
  void aLeftPaddedSequenceGivesExactlyTheShorterSequencesQueryState(String normaliser) {
    RecallTask task = new RecallTask(6, 3);
    try (Graph graph = new Graph()) {
      RecallGraph g = new RecallGraph(graph, task, new RecallGraph.Size(8, 2, 2), Normalisers.parse(normaliser), 12,
          true, List.of(7), 0.01, 5);
      try (Session session = new Session(graph)) {
        session.initialize();
        RecallTask.Batch b = task.sample(new SplittableRandom(11), 4, 7);
        RecallTask.Padded p = b.leftPadded(12);
        RecallGraph.Input test = g.tests.get(7);
        try (TInt32 k = ints(b.keys(), 4, 7); TInt32 v = ints(b.values(), 4, 7);
            TInt32 pk = ints(p.batch().keys(), 4, 12); TInt32 pv = ints(p.batch().values(), 4, 12);
            TFloat32 w = TFloat32.tensorOf(Shape.of(4, 12), DataBuffers.of(p.weights(), true, false));
            Result r = session.runner().feed(test.keys(), k).feed(test.values(), v).feed(g.train.keys(), pk)
                .feed(g.train.values(), pv).feed(g.trainWeights, w).fetch(g.testQueries.get(7))
                .fetch(g.trainQuery).run()) {
          TFloat32 shorter = (TFloat32) r.get(0);
          TFloat32 padded = (TFloat32) r.get(1);
          for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 8; j++) {
              assertEquals(shorter.getFloat(i, j), padded.getFloat(i, j), 1e-5,
                  normaliser + ": the padding is invisible, sequence " + i + ", unit " + j);
            }
          }
        }
      }
    }
  }

  @Test
  void aCurriculumSplitsTheStepsEvenlyAndStillLearns() {
    RecallSettings s = new RecallSettings(List.of(Normalisers.parse("softmax")), 8, 4, 12, List.of(4, 8),
        List.of(12), 16, 1, 2, 600, 32, 0.01, 256, 3);
    assertEquals(List.of(4, 4, 8, 8, 12, 12), List.of(s.trainLength(0), s.trainLength(199), s.trainLength(200),
        s.trainLength(399), s.trainLength(400), s.trainLength(599)));
    double accuracy = RecallExperiment.run(s, r -> {}).results().get(0).accuracy().get(12);
    assertTrue(accuracy > 0.5, "well above chance 0.25 at the training length: " + accuracy);
    var softmax = List.of(Normalisers.parse("softmax"));
    for (List<Integer> bad : List.of(List.of(1), List.of(12), List.of(8, 4))) {
      assertTrue(assertThrows(IllegalArgumentException.class, () -> new RecallSettings(softmax, 8, 4, 12, bad,
          List.of(12), 16, 1, 2, 1, 1, 0.01, 1, 3)).getMessage().startsWith("--curriculum must be increasing lengths "
          + "in [2, --train-length 12)"), bad.toString());
    }
  }

  private static TInt32 ints(int[] values, int rows, int cols) {
    return TInt32.tensorOf(Shape.of(rows, cols), DataBuffers.of(values, true, false));
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
