package org.beyondsoftmax.bench;

/** One thing the {@link InterleavedRunner} times: a named step, run again and again. */
public interface TimedStep {
  /** The name results are reported under. */
  String name();

  /** Where the step runs, for progress lines (a shape, a model size). */
  String setting();

  /** Runs one step; returns its wall time in milliseconds. */
  double timeStepMillis();
}
