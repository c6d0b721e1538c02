package org.beyondsoftmax.models.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.beyondsoftmax.models.cache.CacheMemory;
import org.beyondsoftmax.models.cache.CacheSettings;
import org.beyondsoftmax.models.cache.CacheTraining;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.ops.CacheLosses;
import org.beyondsoftmax.ops.PortableGraphs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A language model with a cache head, as its session and its SavedModel see it: the memory
 * carried from window to window (a stream scores the same however it is cut), the cache's
 * distribution against counts of the words that followed earlier positions, the mixture against
 * its parts, no change at lambda = 0, training with TRIME and HistAlign, and the export.
 */
class CachedLanguageModelTest {
  static final int VOCAB = 12;
  static final int BATCH = 2;
  static final int SIZE = 4;
  static final LanguageModelGraph.Training TRAINING =
      new LanguageModelGraph.Training(Optimizer.Settings.of(Optimizer.Kind.ADAM, 1.0), 0.05, 0.1);

  static LanguageModelSession session(String head, int steps, CacheSettings cache) {
    return new LanguageModelSession(new LanguageModel.Config(VOCAB, 6, 6, 1, Heads.parse(head), 11), TRAINING,
        steps, 3, cache);
  }

  /**
   * The per-position values of {@code output} over a stream read in windows of {@code steps},
   * as [column][position]; the state (the memory included) carried between windows.
   */
  static float[][] scan(LanguageModelSession s, int[] stream, Map<String, Float> scalars, String output) {
    TbpttBatches batches = new TbpttBatches(stream, BATCH, s.steps());
    int column = (stream.length - 1 + BATCH - 1) / BATCH;
    float[][] values = new float[BATCH][column];
    float[][] state = null;
    for (int i = 0; i < batches.size(); i++) {
      TbpttBatches.Batch b = batches.get(i);
      boolean logProbs = output.equals(Signatures.LOG_PROBS);
      var r = s.evaluate(b, state, scalars, logProbs ? List.of() : List.of(output));
      float[] v = logProbs ? r.logProbs() : r.outputs().get(output);
      state = r.state();
      for (int c = 0; c < BATCH; c++) {
        for (int t = 0; t < b.steps(); t++) {
          int pos = i * b.steps() + t;
          if (b.weights()[c * b.steps() + t] > 0) {
            values[c][pos] = v[c * b.steps() + t];
          }
        }
      }
    }
    return values;
  }

  @Test
  void aStreamScoresTheSameHoweverItIsCutIntoWindows() {
    int[] stream = LanguageModelTest.stream(61, 4);
    CacheSettings cache = CacheSettings.untrained(SIZE).withMixture(0.4, 1.5);
    float[][] short3;
    float[][] long7;
    try (LanguageModelSession s = session("softmax", 3, cache)) {
      short3 = scan(s, stream, Map.of(), Signatures.LOG_PROBS);
    }
    try (LanguageModelSession s = session("softmax", 7, cache)) {
      long7 = scan(s, stream, Map.of(), Signatures.LOG_PROBS);
    }
    for (int c = 0; c < BATCH; c++) {
      assertArrayEquals(short3[c], long7[c], 1e-5f, "column " + c);
    }
  }

  /**
   * With lambda = 1 and theta near 0 the cache is the frequency of each word among the words that
   * followed the last L positions (exp(theta h.m) = 1 + O(theta)); the first position has no
   * memory and keeps the head's probability.
   */
  @Test
  void theCacheCountsTheWordsThatFollowedTheLastLPositions() {
    int[] stream = LanguageModelTest.stream(41, 5);
    Map<String, Float> feeds = Map.of(Signatures.CACHE_LAMBDA, 1f, Signatures.CACHE_THETA, 1e-6f);
    try (LanguageModelSession s = session("softmax", 5, CacheSettings.untrained(SIZE))) {
      float[][] logp = scan(s, stream, feeds, Signatures.LOG_PROBS);
      float[][] head = scan(s, stream, feeds, Signatures.HEAD_LOG_PROBS);
      int column = logp[0].length;
      for (int c = 0; c < BATCH; c++) {
        for (int t = 0; t < column && c * column + t + 1 < stream.length; t++) {
          int start = c * column;
          int target = stream[start + t + 1];
          int from = Math.max(0, t - SIZE);
          long held = 0;
          for (int i = from; i < t; i++) {
            held += stream[start + i + 1] == target ? 1 : 0;
          }
          double expected = t == 0 ? head[c][t] : Math.log(held / (double) (t - from));
          String where = "column " + c + ", position " + t;
          if (Double.isInfinite(expected)) {
            assertEquals(Float.NEGATIVE_INFINITY, logp[c][t], where);
          } else {
            assertEquals(expected, logp[c][t], 1e-4, where);
          }
        }
      }
    }
  }

  @Test
  void lambdaZeroIsTheHeadAndTheMixtureIsItsParts() {
    int[] stream = LanguageModelTest.stream(41, 6);
    float[][] plain;
    try (LanguageModelSession s = new LanguageModelSession(
        new LanguageModel.Config(VOCAB, 6, 6, 1, Heads.parse("softmax"), 11), TRAINING, 5, 3)) {
      plain = scan(s, stream, Map.of(), Signatures.LOG_PROBS);
    }
    try (LanguageModelSession s = session("softmax", 5, CacheSettings.untrained(SIZE))) {
      float[][] none = scan(s, stream, Map.of(Signatures.CACHE_LAMBDA, 0f), Signatures.LOG_PROBS);
      Map<String, Float> feeds = Map.of(Signatures.CACHE_LAMBDA, 0.3f, Signatures.CACHE_THETA, 2f);
      float[][] mixed = scan(s, stream, feeds, Signatures.LOG_PROBS);
      float[][] head = scan(s, stream, feeds, Signatures.HEAD_LOG_PROBS);
      float[][] cache = scan(s, stream, feeds, Signatures.CACHE_LOG_PROBS);
      for (int c = 0; c < BATCH; c++) {
        assertArrayEquals(plain[c], none[c], 1e-6f, "lambda = 0: the model without a cache");
        for (int t = 0; t < mixed[c].length; t++) {
          double expected = Math.log(0.7 * Math.exp(head[c][t]) + 0.3 * Math.exp(cache[c][t]));
          assertEquals(expected, mixed[c][t], 1e-5, "column " + c + ", position " + t);
        }
      }
    }
  }

  @Test
  void trimeAndHistAlignTrainAndTheExportHoldsOnlyTensorFlowOps(@TempDir Path dir) throws IOException {
    TbpttBatches batches = new TbpttBatches(LanguageModelTest.stream(400, 7), BATCH, 5);
    for (CacheTraining training : List.of(CacheTraining.TRIME, CacheTraining.HISTALIGN)) {
      { // a dense head with TRIME, a sparse one with HistAlign (each path's other half: CacheWindowTest)
        String head = training == CacheTraining.TRIME ? "softmax" : "entmax";
        CacheSettings cache = CacheSettings.untrained(SIZE).withMixture(0.2, 0.5)
            .withTraining(training, CacheLosses.HISTALIGN_WEIGHT, CacheLosses.HISTALIGN_MARGIN);
        Path out = dir.resolve(head + "-" + training.label());
        TbpttBatches.Batch b = batches.get(3);
        float[] logp;
        float[][] carried;
        try (LanguageModelSession s = session(head, 5, cache)) {
          assertEquals(4, s.stateTensors(), "c, h and the memory's keys and words");
          double[] losses = LanguageModelTest.train(s, batches, 0, 30, new float[][][] {null});
          assertTrue(Arrays.stream(losses).allMatch(Double::isFinite), Arrays.toString(losses));
          double first = Arrays.stream(losses, 0, 5).average().orElseThrow();
          double last = Arrays.stream(losses, 25, 30).average().orElseThrow();
          assertTrue(last < first, head + " " + training + ": the loss falls, " + first + " -> " + last);
          assertEquals(Set.of(), PortableGraphs.foreignOps(s.graph()), "only TensorFlow's ops");
          s.export(out);
          carried = s.evaluate(batches.get(2), null).state();
          logp = s.evaluate(b, carried).logProbs();
          float[][] zero = s.zeroState(BATCH);
          assertEquals(BATCH * SIZE * 6, zero[2].length);
          assertTrue(zero[3][0] == CacheMemory.EMPTY);
          assertArrayEquals(s.evaluate(b, null).logProbs(), s.evaluate(b, zero).logProbs(), "zeroState = none");
        }
        try (SavedLanguageModel m = SavedLanguageModel.load(out)) {
          assertArrayEquals(logp, m.evaluate(b, carried).logProbs(), 1e-6f, "the SavedModel carries the memory");
        }
      }
    }
  }
}
