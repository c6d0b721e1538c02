package org.beyondsoftmax.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.beyondsoftmax.models.cache.CacheSettings;
import org.beyondsoftmax.models.lm.LanguageModelSession;
import org.beyondsoftmax.models.lm.ModelDirectory;
import org.beyondsoftmax.models.lm.SavedLanguageModel;
import org.beyondsoftmax.models.lm.Signatures;
import org.beyondsoftmax.models.lm.TbpttBatches;

/**
 * A model directory of {@code beyond train} opened with a cache head, trained with one or not:
 * the graph is rebuilt from {@code model.json} (the architecture) with the cache, and its variables
 * are restored from the SavedModel. The cache reads the model's hidden states, which a SavedModel's
 * signatures do not expose: a directory without the settings to rebuild them (a calibrated or
 * foreign SavedModel) cannot take a cache. The rebuilt graph is checked against the SavedModel on
 * one batch (the head alone, {@code head_log_probs}, which also holds for a joint TRIME/HistAlign
 * cache that ignores lambda) before it is used.
 */
public final class CachedModel {
  private CachedModel() {}

  /**
   * Opens {@code dir} with the cache {@code cache}.
   *
   * @param portable build the graph of TensorFlow's own ops only (to export it)
   * @throws IOException naming the directory when it cannot take a cache
   */
  public static LanguageModelSession open(Path dir, ModelInfo info, CacheSettings cache, boolean portable)
      throws IOException {
    TrainSettings settings = info.settings();
    if (settings == null) {
      throw new IOException(dir + ": the export lacks the hidden states a cache needs ("
          + ModelDirectory.MODEL_INFO + " holds no training settings to rebuild its graph from)");
    }
    Path variables = dir.resolve(ModelDirectory.VARIABLES).resolve(ModelDirectory.VARIABLES);
    if (!Files.exists(dir.resolve(ModelDirectory.VARIABLES).resolve("variables.index"))) {
      throw new IOException(dir + ": no SavedModel variables (" + variables + ".index)");
    }
    var model = settings.model(info.vocabulary());
    LanguageModelSession session = portable
        ? LanguageModelSession.portable(model, settings.training(), info.steps(), settings.topK(), cache)
        : new LanguageModelSession(model, settings.training(), info.steps(), settings.topK(), cache);
    try {
      session.restore(variables);
      check(dir, session, info.steps());
      return session;
    } catch (IOException | RuntimeException e) {
      session.close();
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IOException(dir + ": the export lacks the hidden states a cache needs: its variables do not"
          + " restore into the graph " + ModelDirectory.MODEL_INFO + " describes: " + e.getMessage(), e);
    }
  }

  /**
   * The rebuilt graph's head gives the SavedModel's log-probabilities on one batch (the SavedModel's
   * head alone, {@value Signatures#HEAD_LOG_PROBS}, when it has a cache of its own).
   */
  private static void check(Path dir, LanguageModelSession session, int steps) throws IOException {
    int vocabulary = session.model().config().vocabulary();
    int[] ids = new int[steps];
    int[] targets = new int[steps];
    for (int t = 0; t < steps; t++) {
      ids[t] = (t * 7 + 1) % vocabulary;
      targets[t] = (t * 11 + 2) % vocabulary;
    }
    TbpttBatches.Batch batch = new TbpttBatches.Batch(1, steps, ids, targets, ones(steps));
    List<String> head = List.of(Signatures.HEAD_LOG_PROBS);
    float[] rebuilt = session.evaluate(batch, null, Map.of(), head).outputs().get(Signatures.HEAD_LOG_PROBS);
    float[] saved;
    try (SavedLanguageModel m = SavedLanguageModel.load(dir)) {
      boolean cached = m.bundle().graph().operation(Signatures.HEAD_LOG_PROBS) != null;
      var r = m.evaluate(batch, null, Map.of(), cached ? head : List.of());
      saved = cached ? r.outputs().get(Signatures.HEAD_LOG_PROBS) : r.logProbs();
    }
    for (int t = 0; t < steps; t++) {
      boolean same = rebuilt[t] == saved[t] || Math.abs(rebuilt[t] - saved[t]) <= 1e-4 * Math.max(1, Math.abs(saved[t]));
      if (!same) {
        throw new IOException(dir + ": the export lacks the hidden states a cache needs (the graph rebuilt from "
            + ModelDirectory.MODEL_INFO + " gives log p = " + rebuilt[t] + " where the SavedModel gives "
            + saved[t] + ": it is not the model " + ModelDirectory.MODEL_INFO + " describes)");
      }
    }
  }

  private static float[] ones(int n) {
    float[] w = new float[n];
    Arrays.fill(w, 1f);
    return w;
  }
}
