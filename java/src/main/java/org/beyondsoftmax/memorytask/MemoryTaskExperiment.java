package org.beyondsoftmax.memorytask;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.models.cache.CacheSettings;
import org.beyondsoftmax.models.cache.CacheTraining;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.lm.LanguageModelSession;
import org.beyondsoftmax.models.lm.ModelDirectory;
import org.beyondsoftmax.models.lm.Signatures;
import org.beyondsoftmax.ops.CacheLosses;
import org.beyondsoftmax.train.CacheTuning;
import org.beyondsoftmax.train.CachedModel;
import org.beyondsoftmax.train.ModelInfo;
import org.beyondsoftmax.train.Perplexity;
import org.beyondsoftmax.train.TrainListener;
import org.beyondsoftmax.train.TrainSettings;
import org.beyondsoftmax.train.TrainState;
import org.beyondsoftmax.train.Trainer;

/**
 * The memory task ({@link MemoryTask}) with and without a cache, as HistAlign's paper compares
 * them (Wan, Zhang &amp; Bansal 2023): one LSTM language model trained without a cache, evaluated
 * without one ({@code none}) and with the untrained cache of Grave et al. 2017 ({@code cache}),
 * one trained with TRIME's joint softmax ({@code trime}) and one with HistAlign's loss on top
 * ({@code histalign}), each with its cache. Every cache's lambda and theta are tuned on the
 * validation stream (perplexity over all its words, {@link CacheTuning}); the test stream gives
 * the accuracy at the copy positions (the mixture's most probable word is the value to copy), the
 * perplexity over all words, and the alignment of current and cached states: the mean rank, among
 * the memories the query may use, of the most similar memory that holds the right value (1: it
 * comes first).
 */
public final class MemoryTaskExperiment {
  /** The modes, in the order of the report. */
  public static final List<String> MODES = List.of("none", "cache", "trime", "histalign");

  /**
   * @param data the streams
   * @param embed E, @param hidden H of the one-layer LSTM
   * @param steps T, the BPTT length
   * @param batch B in training
   * @param epochs epochs of training (the best validation epoch is kept)
   * @param cacheSize L, the memories of every cache (in training and at test)
   */
  public record Settings(MemoryTask.Settings data, int embed, int hidden, int steps, int batch, int epochs,
      double learningRate, int cacheSize, long seed) {}

  /**
   * One mode's result on the test stream.
   *
   * @param accuracy the fraction of copy positions whose most probable word is the right value
   * @param meanRank the mean rank of the right memory at the copy positions that have one
   * @param perplexity over every word of the test stream
   * @param copies the copy positions scored
   * @param lambda and theta: the cache's (tuned on valid; lambda 0 for none, null for the joint
   *     softmax of a cache trained with TRIME or HistAlign)
   * @param trainSeconds the training of the mode's model
   */
  public record Result(String mode, double accuracy, double meanRank, double perplexity, int copies,
      Double lambda, double theta, double trainSeconds) {}

  /** The settings and the four results. */
  public record Report(Settings settings, List<Result> results) {}

  private MemoryTaskExperiment() {}

  /** Runs the experiment in {@code work} (model directories), telling {@code log} what it does. */
  public static Report run(Settings s, Path work, Consumer<String> log) throws IOException {
    MemoryTask task = MemoryTask.generate(s.data());
    log.accept("memory task: " + task.corpus().summary() + "; " + count(task.testCopies()) + " copy positions in test");
    List<Result> results = new ArrayList<>();
    for (CacheTraining training : CacheTraining.values()) {
      String name = training == CacheTraining.NONE ? "none" : training.label();
      Path dir = work.resolve(name);
      long start = System.nanoTime();
      CacheSettings trainedCache = training == CacheTraining.NONE ? null : cache(s, training);
      new Trainer(dir, task.corpus(), new TrainListener() {
        @Override
        public void validated(TrainState.Epoch e) {
          log.accept(String.format("%s: epoch %d, train loss %.3f, valid perplexity %.3f", name, e.epoch(),
              e.trainLoss(), e.validPerplexity()));
        }
      }).run(trainSettings(s, trainedCache));
      double seconds = (System.nanoTime() - start) / 1e9;
      log.accept(String.format("trained %s in %.1f s", name, seconds));
      ModelInfo info = Json.read(dir.resolve(ModelDirectory.MODEL_INFO), ModelInfo.class);
      CacheSettings cache = trainedCache != null ? trainedCache : cache(s, CacheTraining.NONE);
      try (LanguageModelSession session = CachedModel.open(dir, info, cache, false)) {
        if (training == CacheTraining.NONE) {
          results.add(evaluate("none", session, task, 0.0, cache.theta(), seconds));
        }
        CacheTuning t = CacheTuning.tune(session, task.corpus().valid(), 1, Perplexity.DEFAULT_EPSILON,
            CacheTuning.LAMBDAS, CacheTuning.THETAS, false, null);
        CacheTuning.Point best = t.best();
        Result r = evaluate(training == CacheTraining.NONE ? "cache" : name, session, task, best.lambda(),
            best.theta(), seconds);
        results.add(r);
        log.accept(String.format("%s: %s, theta %s tuned on valid; test accuracy %.3f", r.mode(),
            t.joint() ? "joint softmax" : "lambda " + r.lambda(), r.theta(), r.accuracy()));
      }
    }
    return new Report(s, List.copyOf(results));
  }

  /** The cache of every mode: L memories; trained ones at {@link CacheSettings#DEFAULT_TRAINED_THETA}. */
  private static CacheSettings cache(Settings s, CacheTraining training) {
    double theta = training == CacheTraining.NONE ? CacheSettings.DEFAULT_THETA : CacheSettings.DEFAULT_TRAINED_THETA;
    return new CacheSettings(s.cacheSize(), CacheSettings.DEFAULT_LAMBDA, theta, training,
        CacheLosses.HISTALIGN_WEIGHT, CacheLosses.HISTALIGN_MARGIN);
  }

  private static TrainSettings trainSettings(Settings s, CacheSettings cache) {
    return TrainSettings.lstm("memory-task", 0, Heads.parse("softmax"), s.embed(), s.hidden(), 1, s.steps(),
        s.batch(), 1, "adam", s.learningRate(), 1.0, 0.0, s.epochs(), 0, 0.5, s.epochs(), s.seed(), 3)
        .withCache(cache);
  }

  /** Scores the test stream in one column, so that the i-th prediction is that of word i + 1. */
  private static Result evaluate(String mode, LanguageModelSession session, MemoryTask task, Double lambda,
      double theta, double trainSeconds) {
    int[] test = task.corpus().test();
    Perplexity.Sum all = new Perplexity.Sum(task.corpus().vocabulary().size(), Perplexity.DEFAULT_EPSILON);
    double[] totals = new double[4]; // right, copies, rank sum, ranked
    int[] position = {0};
    List<String> outputs = List.of(Signatures.PREDICTIONS, Signatures.CACHE_RANK);
    Perplexity.scan((b, st) -> session.evaluate(b, st, CacheTuning.feeds(lambda == null ? 0 : lambda, theta), outputs), test, 1,
        session.steps(), null, (r, j) -> {
          int word = ++position[0];
          all.add(r.logProbs()[j], Double.NaN);
          if (task.testCopies()[word]) {
            totals[0] += r.outputs().get(Signatures.PREDICTIONS)[j] == test[word] ? 1 : 0;
            totals[1]++;
            float rank = r.outputs().get(Signatures.CACHE_RANK)[j];
            if (rank > 0) {
              totals[2] += rank;
              totals[3]++;
            }
          }
        });
    return new Result(mode, totals[0] / totals[1], totals[3] == 0 ? Double.NaN : totals[2] / totals[3],
        all.result().perplexity(), (int) totals[1], lambda, theta, trainSeconds);
  }

  private static int count(boolean[] flags) {
    int n = 0;
    for (boolean f : flags) {
      n += f ? 1 : 0;
    }
    return n;
  }
}
