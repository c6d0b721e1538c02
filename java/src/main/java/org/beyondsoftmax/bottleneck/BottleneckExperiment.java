package org.beyondsoftmax.bottleneck;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.spec.Spec;

/**
 * Runs the experiment: for each M, seeded targets; for each D and head, one {@link BottleneckRun}.
 * Runs are single-threaded and go in parallel, one per CPU core. A seed reproduces every number
 * (targets and initial values are seeded, training is deterministic); only the timings vary.
 */
public final class BottleneckExperiment {
  private BottleneckExperiment() {}

  public static BottleneckReport run(BottleneckSettings settings, ProgressListener progress) {
    List<BottleneckResult> results = new ArrayList<>();
    for (BottleneckRun.Outcome o : outcomes(settings, progress, false)) {
      results.add(o.result());
    }
    return new BottleneckReport(settings, results);
  }

  /** Every run's outcome in (M, D, head) order, with Q when {@code keepProbabilities}. */
  static List<BottleneckRun.Outcome> outcomes(
      BottleneckSettings settings, ProgressListener progress, boolean keepProbabilities) {
    record Task(Problem problem, int dims, Spec<HeadFactory> head) {}
    List<Task> tasks = new ArrayList<>();
    for (int m : settings.classes()) {
      Problem problem = Problem.sample(settings.contexts(), m, settings.alpha(), settings.seed());
      for (int d : settings.dims()) {
        for (Spec<HeadFactory> head : settings.heads()) {
          tasks.add(new Task(problem, d, head));
        }
      }
    }
    int threads = Math.max(1, Math.min(tasks.size(), Runtime.getRuntime().availableProcessors()));
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "bottleneck-run");
      t.setDaemon(true);
      return t;
    });
    AtomicInteger started = new AtomicInteger();
    boolean severalM = settings.classes().size() > 1;
    try {
      List<Future<BottleneckRun.Outcome>> futures = new ArrayList<>();
      for (Task t : tasks) {
        String label = t.head() + " D=" + t.dims() + (severalM ? " M=" + t.problem().classes() : "");
        futures.add(pool.submit(() -> {
          progress.runStarted(label, started.getAndIncrement(), tasks.size());
          BottleneckRun.Outcome o =
              BottleneckRun.train(t.problem(), t.head(), t.dims(), settings, progress, keepProbabilities);
          progress.runFinished(label);
          return o;
        }));
      }
      List<BottleneckRun.Outcome> out = new ArrayList<>();
      for (Future<BottleneckRun.Outcome> f : futures) {
        out.add(f.get());
      }
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    } finally {
      pool.shutdownNow();
    }
  }
}
