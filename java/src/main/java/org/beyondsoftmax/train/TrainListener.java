package org.beyondsoftmax.train;

/** What a training run tells as it goes (the command line draws a progress bar from it). */
public interface TrainListener {
  /** Epoch {@code epoch} (0-based) of {@code epochs} starts (or resumes) at batch {@code first} of {@code batches}. */
  default void epochStarted(int epoch, int epochs, int first, int batches) {}

  /** A training batch is done: its mean loss and tokens, and the epoch's tokens per second so far. */
  default void batchDone(double loss, int tokens, double tokensPerSecond) {}

  /** The training part of an epoch ended (complete or not); validation follows. */
  default void epochTrained() {}

  /** Validation of the epoch is done. */
  default void validated(TrainState.Epoch epoch) {}

  /** Anything else worth a line. */
  default void message(String text) {}

  TrainListener SILENT = new TrainListener() {};
}
