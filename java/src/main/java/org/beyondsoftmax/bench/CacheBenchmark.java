package org.beyondsoftmax.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.beyondsoftmax.models.cache.CacheSettings;
import org.beyondsoftmax.models.cache.CacheTraining;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.lm.LanguageModel;
import org.beyondsoftmax.models.lm.LanguageModelGraph;
import org.beyondsoftmax.models.lm.LanguageModelSession;
import org.beyondsoftmax.models.lm.TbpttBatches;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.ops.CacheLosses;

/**
 * The cost of a cache head per language-model step ({@code beyond bench cache}): one training step
 * (forward, backward, Adam) and one evaluation step (the inference pass: log p of the targets and
 * the state after) of the same LSTM language model without a cache ({@code none}), with the
 * untrained cache ({@code cache}: the training step only carries the memory, evaluation mixes),
 * with TRIME and with HistAlign (both in training; evaluation with TRIME's joint softmax), each
 * step from a full memory. The variants' steps are interleaved round by round
 * ({@link InterleavedRunner}); each ratio is to {@code none} of the same kind in the same run.
 * The memory a model carries from batch to batch is reported per batch row: it depends on L and
 * H only, never on the length of the text.
 */
public final class CacheBenchmark {
  /** The variants, {@code none} first (the baseline). */
  public static final List<String> VARIANTS = List.of("none", "cache", "trime", "histalign");

  /**
   * @param vocabulary V
   * @param hidden E = H of the one-layer LSTM
   * @param steps T, the BPTT length
   * @param batch B
   * @param cacheSize L
   * @param head the output head's spec
   */
  public record Settings(int vocabulary, int hidden, int steps, int batch, int cacheSize, String head, int warmup,
      int rounds, long seed) {}

  /** The state a variant carries between batches, per batch row: floats and bytes. */
  public record Memory(@JsonProperty("variant") String variant,
      @JsonProperty("state_floats_per_row") long floatsPerRow,
      @JsonProperty("state_bytes_per_batch") long bytesPerBatch) {}

  /** The timings (ratios to none), failures, and carried memory of a run. */
  public record Report(@JsonProperty("results") List<BenchResult> results,
      @JsonProperty("failed") List<BenchFailure> failed, @JsonProperty("memory") List<Memory> memory) {}

  private CacheBenchmark() {}

  /** Runs the benchmark of {@code s}, telling {@code progress} what it does. */
  public static Report run(Settings s, PrintWriter progress) {
    List<Integer> shape = List.of(s.batch(), s.steps(), s.vocabulary(), s.cacheSize());
    TbpttBatches.Batch batch = batch(s);
    Map<String, LanguageModelSession> sessions = new LinkedHashMap<>();
    List<BenchFailure> failed = new ArrayList<>();
    List<TimedStep> steps = new ArrayList<>();
    List<Memory> memory = new ArrayList<>();
    try {
      for (String variant : VARIANTS) {
        LanguageModelSession session;
        try {
          progress.printf("building %s [%s]...%n", variant, shape);
          progress.flush();
          session = session(s, variant);
        } catch (RuntimeException | OutOfMemoryError e) {
          failed.add(new BenchFailure(variant, shape, InterleavedRunner.describe(e)));
          continue;
        }
        sessions.put(variant, session);
        float[][] full = session.evaluate(batch, null).state(); // the memory filled once
        long floats = 0;
        for (float[] x : full) {
          floats += x.length / s.batch();
        }
        memory.add(new Memory(variant, floats, floats * 4 * s.batch()));
        steps.add(step("train " + variant, shape, () -> session.train(batch, full)));
        steps.add(step("eval " + variant, shape, () -> session.evaluate(batch, full)));
      }
      InterleavedRunner.Outcome outcome = new InterleavedRunner(s.warmup(), s.rounds(), s.seed(), progress).run(steps);
      outcome.errors().forEach((op, message) -> failed.add(new BenchFailure(op, shape, message)));
      List<BenchResult> results = new ArrayList<>();
      outcome.millis().forEach((op, times) -> {
        String kind = op.substring(0, op.indexOf(' '));
        double[] base = outcome.millis().get(kind + " none");
        double median = BenchResult.median(times);
        Double ratio = base == null ? null : median / BenchResult.median(base);
        results.add(new BenchResult(op, shape, median, kind + " none", ratio));
      });
      return new Report(results, failed, memory);
    } finally {
      sessions.values().forEach(LanguageModelSession::close);
    }
  }

  private static LanguageModelSession session(Settings s, String variant) {
    LanguageModel.Config config = new LanguageModel.Config(s.vocabulary(), s.hidden(), s.hidden(), 1,
        Heads.parse(s.head()), s.seed());
    LanguageModelGraph.Training training = new LanguageModelGraph.Training(
        Optimizer.Settings.of(Optimizer.Kind.ADAM, 1.0), 0.001, 0.0);
    CacheSettings untrained = CacheSettings.untrained(s.cacheSize());
    CacheSettings cache = switch (variant) {
      case "none" -> null;
      case "cache" -> untrained;
      default -> untrained.withMixture(untrained.lambda(), CacheSettings.DEFAULT_TRAINED_THETA).withTraining(
          CacheTraining.parse(variant), CacheLosses.HISTALIGN_WEIGHT, CacheLosses.HISTALIGN_MARGIN);
    };
    return new LanguageModelSession(config, training, s.steps(), 10, cache);
  }

  /** A batch of seeded random words: ids and their next words, every position counted. */
  private static TbpttBatches.Batch batch(Settings s) {
    int[] stream = new SplittableRandom(s.seed()).ints(s.batch() * s.steps() + 1L, 0, s.vocabulary()).toArray();
    return new TbpttBatches(stream, s.batch(), s.steps()).get(0);
  }

  private static TimedStep step(String name, List<Integer> shape, Runnable run) {
    return new TimedStep() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String setting() {
        return "B x T x V, L = " + shape;
      }

      @Override
      public double timeStepMillis() {
        long start = System.nanoTime();
        run.run();
        return (System.nanoTime() - start) / 1e6;
      }
    };
  }
}
