package org.beyondsoftmax.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Benchmarks a list of ops over a list of shapes, one shape at a time: builds every op's graph
 * for the shape, times them with the {@link InterleavedRunner}, closes them, then goes on to the
 * next shape (so only one shape's graphs and inputs are alive at a time). Each op's ratio is to
 * the baseline case of the same run and shape. An op that fails to build or run is reported and
 * skipped.
 */
public final class BenchSuite {
  private final InterleavedRunner runner;
  private final long seed;
  private final PrintWriter progress;

  public BenchSuite(int warmup, int rounds, long seed, PrintWriter progress) {
    this.runner = new InterleavedRunner(warmup, rounds, seed, progress);
    this.seed = seed;
    this.progress = progress;
  }

  /** Times {@code cases} at each shape; ratios are to {@link BenchmarkCases#BASELINE}. */
  public BenchReport run(List<BenchShape> shapes, List<BenchCase> cases) {
    return run(shapes, cases, BenchmarkCases.BASELINE);
  }

  /** Times {@code cases} at each shape; ratios are to the case named {@code baseline}. */
  public BenchReport run(List<BenchShape> shapes, List<BenchCase> cases, String baseline) {
    List<BenchResult> results = new ArrayList<>();
    List<BenchFailure> failed = new ArrayList<>();
    for (BenchShape shape : shapes) {
      try (BenchInputs data = new BenchInputs(shape, seed)) {
        List<OpBenchmark> built = new ArrayList<>();
        try {
          for (BenchCase c : cases) {
            progress.printf("building %s [%s]...%n", c.name(), shape);
            progress.flush();
            try {
              built.add(OpBenchmark.build(c, data));
            } catch (RuntimeException | OutOfMemoryError e) {
              String message = InterleavedRunner.describe(e);
              failed.add(new BenchFailure(c.name(), shape.dims(), message));
              progress.printf("error: %s [%s] failed to build: %s%n", c.name(), shape, message);
              progress.flush();
            }
          }
          InterleavedRunner.Outcome outcome = runner.run(built);
          outcome.errors().forEach(
              (op, message) -> failed.add(new BenchFailure(op, shape.dims(), message)));
          results.addAll(summarize(shape, outcome.millis(), baseline));
        } finally {
          built.forEach(OpBenchmark::close);
        }
      }
    }
    return new BenchReport(results, failed);
  }

  private static List<BenchResult> summarize(
      BenchShape shape, Map<String, double[]> millis, String baseline) {
    double[] base = millis.get(baseline);
    Double baseMedian = base == null ? null : BenchResult.median(base);
    List<BenchResult> out = new ArrayList<>();
    millis.forEach((op, times) -> {
      double median = BenchResult.median(times);
      Double ratio = baseMedian == null || baseMedian <= 0 ? null : median / baseMedian;
      out.add(new BenchResult(op, shape.dims(), median, baseline, ratio));
    });
    return out;
  }
}
