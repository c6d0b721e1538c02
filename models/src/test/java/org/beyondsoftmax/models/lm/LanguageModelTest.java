package org.beyondsoftmax.models.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.ops.PortableGraphs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The language model's session: training that repeats bit for bit, checkpoints, padding, sparse
 * heads, and the SavedModel (only TensorFlow ops; signatures that agree with the session).
 */
class LanguageModelTest {
  static final int VOCAB = 12;
  static final int STEPS = 5;
  static final int BATCH = 3;

  /** A stream with structure to learn: a repeating pattern with some noise. */
  static int[] stream(int n, long seed) {
    int[] pattern = {1, 2, 3, 4, 5, 1, 2, 6, 7, 8, 9, 10, 11, 0};
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = r.nextDouble() < 0.1 ? r.nextInt(VOCAB) : pattern[i % pattern.length];
    }
    return t;
  }

  static LanguageModelSession session(String head, Optimizer.Kind kind, double lr) {
    return new LanguageModelSession(new LanguageModel.Config(VOCAB, 6, 6, 2, Heads.parse(head), 11),
        new LanguageModelGraph.Training(Optimizer.Settings.of(kind, 1.0), lr, 0.2), STEPS, 3);
  }

  /** Losses of {@code steps} training steps over {@code batches} from {@code start}, state carried. */
  static double[] train(LanguageModelSession s, TbpttBatches batches, int start, int steps, float[][][] state) {
    double[] losses = new double[steps];
    for (int i = 0; i < steps; i++) {
      var r = s.train(batches.get((start + i) % batches.size()), state[0]);
      losses[i] = r.loss();
      state[0] = r.state();
    }
    return losses;
  }

  @Test
  void trainingLearnsAndRepeatsBitForBitFromACheckpoint(@TempDir Path dir) {
    TbpttBatches batches = new TbpttBatches(stream(400, 1), BATCH, STEPS);
    double[] straight;
    float[][][] state = {null};
    try (LanguageModelSession s = session("softmax", Optimizer.Kind.ADAM, 0.05)) {
      straight = train(s, batches, 0, 60, state);
      assertEquals(60, s.step());
    }
    assertTrue(straight[59] < straight[0] - 0.5, "the loss falls: " + straight[0] + " -> " + straight[59]);
    double[] again;
    state[0] = null;
    try (LanguageModelSession s = session("softmax", Optimizer.Kind.ADAM, 0.05)) {
      double[] first = train(s, batches, 0, 25, state);
      assertArrayEquals(Arrays.copyOf(straight, 25), first, "same seed, same losses");
      s.save(dir.resolve("ckpt"));
    }
    try (LanguageModelSession s = session("softmax", Optimizer.Kind.ADAM, 0.05)) {
      s.restore(dir.resolve("ckpt"));
      assertEquals(25, s.step(), "the update count is restored (it keys dropout and Adam)");
      again = train(s, batches, 25, 35, state);
    }
    assertArrayEquals(Arrays.copyOfRange(straight, 25, 60), again, "restored: the same 35 losses, bit for bit");
  }

  @Test
  void sgdWithClippingAndTheLearningRateVariable() {
    TbpttBatches batches = new TbpttBatches(stream(400, 2), BATCH, STEPS);
    try (LanguageModelSession s = new LanguageModelSession(new LanguageModel.Config(VOCAB, 6, 6, 2, Heads.parse("softmax"), 11),
        new LanguageModelGraph.Training(Optimizer.Settings.of(Optimizer.Kind.SGD, 5.0), 1.0, 0.0), STEPS, 3)) {
      assertEquals(1.0, s.learningRate(), 1e-7);
      var r = s.train(batches.get(0), null);
      assertTrue(r.gradientNorm() > 0 && Double.isFinite(r.loss()), r.toString());
      s.setLearningRate(4);
      assertEquals(4, s.learningRate(), 1e-7);
      double[] losses = train(s, batches, 1, 200, new float[][][] {null});
      double first = Arrays.stream(losses, 0, 20).average().orElseThrow();
      double last = Arrays.stream(losses, 180, 200).average().orElseThrow();
      assertTrue(last < first - 0.3, "mean loss of the first and last 20 steps: " + first + " -> " + last);
    }
  }

  @Test
  void aShortInputGivesTheFirstPredictionsOfALongerOne(@TempDir Path dir) throws IOException {
    int[] ids = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    int[] targets = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    try (LanguageModelSession s = session("softmax", Optimizer.Kind.ADAM, 0.01)) {
      s.export(dir);
    }
    try (SavedLanguageModel m = SavedLanguageModel.load(dir)) {
      float[] full = m.logProbs(2, 5, ids, targets);
      int[] shortIds = {1, 2, 6, 7};
      int[] shortTargets = {2, 3, 7, 8};
      float[] part = m.logProbs(2, 2, shortIds, shortTargets);
      for (int r = 0; r < 2; r++) {
        for (int t = 0; t < 2; t++) {
          assertEquals(full[r * 5 + t], part[r * 2 + t], 1e-6, "row " + r + ", position " + t);
        }
      }
      var e = assertThrows(RuntimeException.class, () -> m.logProbs(1, 6, new int[6], new int[6]));
      assertTrue(e.getMessage().contains("unrolled over 5 steps"), e.getMessage());
    }
  }

  @Test
  void theSavedModelHoldsOnlyTensorFlowOpsAndAgreesWithTheSession(@TempDir Path dir) throws IOException {
    TbpttBatches batches = new TbpttBatches(stream(200, 3), BATCH, STEPS);
    TbpttBatches.Batch b = batches.get(1);
    float[] logp;
    double nextLoss;
    try (LanguageModelSession s = session("sigsoftmax", Optimizer.Kind.ADAM, 0.01)) {
      train(s, batches, 0, 3, new float[][][] {null});
      Set<String> types = PortableGraphs.opTypes(s.graph());
      System.out.println("LanguageModelTest: op types of the exported graph (" + types.size() + "): " + types);
      assertEquals(Set.of(), PortableGraphs.foreignOps(s.graph()), "every op is one of TensorFlow's own");
      s.export(dir);
      logp = s.evaluate(b, null).logProbs();
      nextLoss = s.train(b, null).loss();
    }
    try (SavedLanguageModel m = SavedLanguageModel.load(dir)) {
      assertArrayEquals(logp, m.logProbs(BATCH, STEPS, b.ids(), b.targets()), 1e-6f, "log_prob");
      var next = m.next(BATCH, STEPS, b.ids());
      assertEquals(3, next.k());
      for (int r = 0; r < BATCH; r++) {
        assertTrue(next.probabilities()[r * 3] >= next.probabilities()[r * 3 + 1], "most probable first");
        // p(top word) from log_prob at the last position, with the top word as target
        int[] targets = b.targets().clone();
        targets[r * STEPS + STEPS - 1] = next.ids()[r * 3];
        float lp = m.logProbs(BATCH, STEPS, b.ids(), targets)[r * STEPS + STEPS - 1];
        assertEquals(Math.exp(lp), next.probabilities()[r * 3], 1e-5, "serving agrees with log_prob");
      }
      assertEquals(nextLoss, m.trainStep(BATCH, STEPS, b.ids(), b.targets()), 1e-5,
          "train_step continues where the session left off");
    }
  }

  @Test
  void sparseHeadsReportSupportAndMinusInfinity() {
    TbpttBatches batches = new TbpttBatches(stream(200, 4), BATCH, STEPS);
    try (LanguageModelSession s = session("entmax", Optimizer.Kind.ADAM, 0.05)) {
      train(s, batches, 0, 20, new float[][][] {null});
      var r = s.evaluate(batches.get(0), null);
      assertNotNull(r.support());
      for (int i = 0; i < r.support().length; i++) {
        assertTrue(r.support()[i] >= 1 && r.support()[i] <= VOCAB, "support " + r.support()[i]);
        assertTrue(r.logProbs()[i] <= 0, "log p <= 0");
      }
    }
    try (LanguageModelSession s = session("softmax", Optimizer.Kind.ADAM, 0.05)) {
      assertNull(s.evaluate(batches.get(0), null).support());
    }
  }

  @Test
  void headsBuildInTheLanguageModel() {
    List<String> failed = new ArrayList<>();
    for (String head : List.of("softmax:tied=true", "plif:knots=100", "mos:components=2", "sparsemax")) {
      try (LanguageModelSession s = session(head, Optimizer.Kind.SGD, 0.1)) {
        s.train(new TbpttBatches(stream(50, 5), BATCH, STEPS).get(0), null);
      } catch (RuntimeException e) {
        failed.add(head + ": " + e);
      }
    }
    assertEquals(List.of(), failed);
  }
}
