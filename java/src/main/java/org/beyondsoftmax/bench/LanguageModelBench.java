package org.beyondsoftmax.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.lm.LanguageModel;
import org.beyondsoftmax.models.lm.LanguageModelGraph;
import org.beyondsoftmax.models.lm.TbpttBatches;
import org.beyondsoftmax.models.spec.Spec;

/**
 * {@code beyond bench lm}: the training step of the language model with each head, interleaved
 * round by round with the step's matrix products alone ({@link MatmulFloor}), in one run: median
 * ms per step, tokens per second, the ratio to the first head (softmax) and to the floor; on
 * request, where each head's step spends its time ({@link StepProfile}).
 */
public final class LanguageModelBench {
  /** One head's timing. */
  public record Result(
      @JsonProperty("head") String head,
      @JsonProperty("ms_per_step") double msPerStep,
      @JsonProperty("tokens_per_second") double tokensPerSecond,
      @JsonProperty("ratio_to_softmax") Double ratioToSoftmax,
      @JsonProperty("ratio_to_floor") double ratioToFloor) {}

  /**
   * The run: the settings, the floor's time, every head's result, the heads that failed, and where
   * each head's step spends its time when profiles were asked for (else empty).
   */
  public record Report(
      @JsonProperty("settings") Map<String, Object> settings,
      @JsonProperty("floor_ms_per_step") double floorMsPerStep,
      @JsonProperty("results") List<Result> results,
      @JsonProperty("failed") Map<String, String> failed,
      @JsonProperty("profiles") Map<String, StepProfile> profiles) {}

  /**
   * After the timed rounds, {@code steps} traced steps of each head that ran ({@link
   * LanguageModelStep#profile}), keeping the {@code top} op types and nodes; {@link #NONE}: none.
   */
  public record Profiling(int steps, int top) {
    public static final Profiling NONE = new Profiling(0, 1);

    public Profiling {
      if (steps < 0) {
        throw new IllegalArgumentException("profile steps must be >= 0, got " + steps);
      }
      if (top < 1) {
        throw new IllegalArgumentException("profile top must be >= 1, got " + top);
      }
    }
  }

  private LanguageModelBench() {}

  /**
   * Times {@code heads} (the first is the baseline of {@code ratio_to_softmax}) on batches of
   * {@code tokens}.
   */
  public static Report run(List<Spec<HeadFactory>> heads, int[] tokens, int vocabulary, int embed, int hidden,
      int layers, int steps, int batch, LanguageModelGraph.Training training, int warmup, int rounds,
      int batches, long seed, Profiling profiling, PrintWriter progress) {
    TbpttBatches all = new TbpttBatches(tokens, batch, steps);
    List<TbpttBatches.Batch> used = new ArrayList<>();
    for (int i = 0; i < Math.min(batches, all.size()); i++) {
      used.add(all.get(i));
    }
    List<TimedStep> timed = new ArrayList<>();
    List<LanguageModelStep> models = new ArrayList<>();
    List<AutoCloseable> open = new ArrayList<>();
    try {
      MatmulFloor floor = MatmulFloor.build(vocabulary, embed, hidden, layers, steps, batch, seed);
      open.add(floor);
      timed.add(floor);
      for (Spec<HeadFactory> head : heads) {
        progress.printf("building the language model with head %s...%n", head);
        progress.flush();
        LanguageModelStep step = new LanguageModelStep(head.toString(),
            new LanguageModel.Config(vocabulary, embed, hidden, layers, head, seed), training, steps, used);
        open.add(step);
        timed.add(step);
        models.add(step);
      }
      InterleavedRunner.Outcome outcome = new InterleavedRunner(warmup, rounds, seed, progress).run(timed);
      double floorMs = outcome.millis().containsKey(floor.name())
          ? BenchResult.median(outcome.millis().get(floor.name())) : Double.NaN;
      String baseline = heads.get(0).toString();
      Double baselineMs = outcome.millis().containsKey(baseline)
          ? BenchResult.median(outcome.millis().get(baseline)) : null;
      List<Result> results = new ArrayList<>();
      for (Spec<HeadFactory> head : heads) {
        double[] ms = outcome.millis().get(head.toString());
        if (ms != null) {
          double median = BenchResult.median(ms);
          results.add(new Result(head.toString(), median, batch * steps / (median / 1000),
              baselineMs == null ? null : median / baselineMs, median / floorMs));
        }
      }
      Map<String, Object> settings = Map.of("vocabulary", vocabulary, "embed", embed, "hidden", hidden,
          "layers", layers, "bptt", steps, "batch", batch, "rounds", rounds, "warmup", warmup,
          "batches", used.size());
      Map<String, StepProfile> profiles = new LinkedHashMap<>();
      for (LanguageModelStep step : models) {
        if (profiling.steps() > 0 && !outcome.errors().containsKey(step.name())) {
          progress.printf("tracing %d steps of %s...%n", profiling.steps(), step.name());
          progress.flush();
          profiles.put(step.name(), step.profile(profiling.steps(), profiling.top()));
        }
      }
      return new Report(settings, floorMs, results, outcome.errors(), profiles);
    } finally {
      for (AutoCloseable c : open) {
        try {
          c.close();
        } catch (Exception e) {
          progress.println("closing a benchmark failed: " + e);
        }
      }
    }
  }
}
