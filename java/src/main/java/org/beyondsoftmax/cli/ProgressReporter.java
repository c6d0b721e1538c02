package org.beyondsoftmax.cli;

import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.Set;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.beyondsoftmax.bottleneck.ProgressListener;

/**
 * Shows the experiment's progress on stderr: on a terminal a progress bar over all training steps
 * with the runs in flight, otherwise one line per run (logs, pipes, tests).
 */
final class ProgressReporter implements ProgressListener, AutoCloseable {
  private final ProgressBar bar;
  private final PrintWriter log;
  private final Set<String> running = new LinkedHashSet<>();
  private int done;
  private int runs;

  private ProgressReporter(ProgressBar bar, PrintWriter log) {
    this.bar = bar;
    this.log = log;
  }

  /** A bar when there is a terminal, else lines to {@code err}. */
  static ProgressReporter create(String task, long totalSteps, PrintWriter err) {
    if (System.console() == null) {
      return new ProgressReporter(null, err);
    }
    ProgressBar bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalSteps)
        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).setMaxRenderedLength(120)
        .setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
    return new ProgressReporter(bar, null);
  }

  @Override
  public synchronized void runStarted(String label, int index, int runs) {
    this.runs = runs;
    running.add(label);
    if (bar != null) {
      show();
    } else {
      log.printf("run %d/%d: %s%n", index + 1, runs, label);
      log.flush();
    }
  }

  @Override
  public void stepDone() {
    if (bar != null) {
      bar.step();
    }
  }

  @Override
  public synchronized void runFinished(String label) {
    running.remove(label);
    done++;
    if (bar != null) {
      show();
    }
  }

  private void show() {
    bar.setExtraMessage(String.format(" %d/%d runs done; %s", done, runs, String.join(", ", running)));
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
