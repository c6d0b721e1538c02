package org.beyondsoftmax.bottleneck;

/**
 * Told how the experiment advances (a progress bar, a log line per run, or nothing); runs go in
 * parallel, so implementations must be thread-safe.
 */
public interface ProgressListener {
  /** Run {@code index} (0-based) of {@code runs} starts: head {@code label}. */
  void runStarted(String label, int index, int runs);

  /** One more training step is done. */
  void stepDone();

  /** The run {@code label} is done. */
  void runFinished(String label);

  ProgressListener NONE = new ProgressListener() {
    @Override
    public void runStarted(String label, int index, int runs) {}

    @Override
    public void stepDone() {}

    @Override
    public void runFinished(String label) {}
  };
}
