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
import java.util.stream.Stream;
import org.beyondsoftmax.models.attention.Normalisers;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.ops.PortableGraphs;
import org.junit.jupiter.api.Test;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

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
    return session(Backbone.LSTM, head, kind, lr, STEPS);
  }

  /** A Transformer of width 6 with 2 heads, {@link #STEPS} positions and {@code attention}. */
  static Backbone transformer(String attention) {
    return new Backbone.Transformer(Normalisers.parse(attention), 2, STEPS);
  }

  /** The backbones the tests run: the LSTM and a softmax-attention Transformer. */
  static Stream<Backbone> backbones() {
    return Stream.of(Backbone.LSTM, transformer("softmax"));
  }

  /** 2 layers of width 6, dropout 0.2, unrolled over {@code steps} (at most the Transformer's positions). */
  static LanguageModelSession session(Backbone backbone, String head, Optimizer.Kind kind, double lr, int steps) {
    return new LanguageModelSession(new LanguageModel.Config(VOCAB, 6, 6, 2, Heads.parse(head), 11, backbone),
        new LanguageModelGraph.Training(Optimizer.Settings.of(kind, 1.0), lr, 0.2), steps, 3);
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

  @ParameterizedTest
  @MethodSource("backbones")
  void trainingLearnsAndRepeatsBitForBitFromACheckpoint(Backbone backbone, @TempDir Path dir) {
    TbpttBatches batches = new TbpttBatches(stream(400, 1), BATCH, STEPS);
    double[] straight;
    float[][][] state = {null};
    try (LanguageModelSession s = session(backbone, "softmax", Optimizer.Kind.ADAM, 0.05, STEPS)) {
      straight = train(s, batches, 0, 60, state);
      assertEquals(60, s.step());
    }
    assertTrue(straight[59] < straight[0] - 0.5, "the loss falls: " + straight[0] + " -> " + straight[59]);
    double[] again;
    state[0] = null;
    try (LanguageModelSession s = session(backbone, "softmax", Optimizer.Kind.ADAM, 0.05, STEPS)) {
      double[] first = train(s, batches, 0, 25, state);
      assertArrayEquals(Arrays.copyOf(straight, 25), first, "same seed, same losses");
      s.save(dir.resolve("ckpt"));
    }
    try (LanguageModelSession s = session(backbone, "softmax", Optimizer.Kind.ADAM, 0.05, STEPS)) {
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

  @ParameterizedTest
  @MethodSource("backbones")
  void aShortInputGivesTheFirstPredictionsOfALongerOne(Backbone backbone, @TempDir Path dir) throws IOException {
    int[] ids = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    int[] targets = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    try (LanguageModelSession s = session(backbone, "softmax", Optimizer.Kind.ADAM, 0.01, STEPS)) {
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
      String limit = backbone.recurrent() ? "unrolled over 5 steps" : "the Transformer reads at most 5 positions";
      assertTrue(e.getMessage().contains(limit + ": ids and targets may have at most 5 columns"), e.getMessage());
    }
  }

  @ParameterizedTest
  @MethodSource("backbones")
  void theSavedModelHoldsOnlyTensorFlowOpsAndAgreesWithTheSession(Backbone backbone, @TempDir Path dir)
      throws IOException {
    TbpttBatches batches = new TbpttBatches(stream(200, 3), BATCH, STEPS);
    TbpttBatches.Batch b = batches.get(1);
    float[] logp;
    double nextLoss;
    try (LanguageModelSession s = session(backbone, "sigsoftmax", Optimizer.Kind.ADAM, 0.01, STEPS)) {
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

  /** next_log_probabilities [prompts, V] of prompts left-padded to the longest with weight-0 positions. */
  static float[][] nextWord(Session session, int[][] prompts, int noiseId) {
    int longest = Arrays.stream(prompts).mapToInt(p -> p.length).max().orElseThrow();
    int[] ids = new int[prompts.length * longest];
    float[] weights = new float[ids.length];
    Arrays.fill(ids, noiseId); // what the padding holds must not matter
    for (int r = 0; r < prompts.length; r++) {
      int pad = longest - prompts[r].length;
      for (int t = 0; t < prompts[r].length; t++) {
        ids[r * longest + pad + t] = prompts[r][t];
        weights[r * longest + pad + t] = 1;
      }
    }
    Shape shape = Shape.of(prompts.length, longest);
    try (TInt32 i = TInt32.tensorOf(shape, DataBuffers.of(ids, true, false));
        TFloat32 w = TFloat32.tensorOf(shape, DataBuffers.of(weights, true, false));
        Result r = session.runner().feed(Signatures.IDS, i).feed(Signatures.WEIGHTS, w)
            .fetch("next_log_probabilities").run()) {
      float[] flat = BatchRuns.floats(r.get(0));
      float[][] out = new float[prompts.length][];
      for (int p = 0; p < prompts.length; p++) {
        out[p] = Arrays.copyOfRange(flat, p * VOCAB, (p + 1) * VOCAB);
      }
      return out;
    }
  }

  /**
   * A Transformer trains, exports, and in its SavedModel a prompt of any length 1..T left-padded
   * with positions of weight 0 (in a batch of all lengths, the padding holding some word) gives
   * the next-word distribution of the prompt alone, and of a graph of exactly the prompt's length
   * without any padding. With softmax, and the normalisers whose weights depend on the number of
   * keys (every normaliser's stack: TransformerTest.causalAndBlindToPadding).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"softmax", "ssmax:s=2,learn-s=true", "sigmoid"})
  void aLeftPaddedPromptGivesTheUnpaddedPromptsNextWordDistribution(String attention, @TempDir Path dir)
      throws IOException {
    TbpttBatches batches = new TbpttBatches(stream(200, 6), BATCH, STEPS);
    int[] prompt = {3, 4, 5, 1, 2};
    int[][] prompts = new int[STEPS][];
    for (int n = 1; n <= STEPS; n++) {
      prompts[n - 1] = Arrays.copyOfRange(prompt, STEPS - n, STEPS);
    }
    float[][] unpadded = new float[STEPS][];
    try (LanguageModelSession s = session(transformer(attention), "softmax", Optimizer.Kind.ADAM, 0.02, STEPS)) {
      double[] losses = train(s, batches, 0, 8, new float[][][] {null});
      assertTrue(Arrays.stream(losses).allMatch(Double::isFinite), attention + ": " + Arrays.toString(losses));
      assertEquals(0, s.stateTensors(), "no state");
      s.save(dir.resolve("ckpt"));
      s.export(dir.resolve("model"));
      unpadded[STEPS - 1] = nextWord(s.session(), new int[][] {prompt}, 0)[0];
    }
    try (LanguageModelSession s = session(transformer(attention), "softmax", Optimizer.Kind.ADAM, 0.02, 3)) {
      s.restore(dir.resolve("ckpt"));
      unpadded[2] = nextWord(s.session(), new int[][] {prompts[2]}, 0)[0];
    }
    try (SavedLanguageModel m = SavedLanguageModel.load(dir.resolve("model"))) {
      float[][] batched = nextWord(m.bundle().session(), prompts, 7);
      for (int n : new int[] {3, STEPS}) {
        assertArrayEquals(unpadded[n - 1], batched[n - 1], 1e-5f, attention + ": a prompt of " + n + " words");
      }
      for (int n = 1; n <= STEPS; n++) {
        assertArrayEquals(nextWord(m.bundle().session(), new int[][] {prompts[n - 1]}, 0)[0], batched[n - 1], 1e-5f,
            attention + ": " + n + " words alone and in a batch");
      }
      var e = assertThrows(RuntimeException.class, () -> nextWord(m.bundle().session(), new int[][] {new int[6]}, 0));
      assertTrue(e.getMessage().contains("the Transformer reads at most 5 positions"), e.getMessage());
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
