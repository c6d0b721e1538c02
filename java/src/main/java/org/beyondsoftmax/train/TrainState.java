package org.beyondsoftmax.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a training run stands, saved with each checkpoint: the next batch to train on, the
 * running sums of the epoch in progress, the best validation perplexity so far, and the history.
 *
 * @param epoch the epoch in progress (0-based; = epochs when done)
 * @param batchInEpoch the next batch of that epoch (0: the epoch has not started)
 * @param steps updates so far
 * @param epochLoss sum over the epoch's finished batches of mean loss x tokens
 * @param epochTokens tokens of those batches
 * @param epochSeconds training seconds of the epoch so far
 * @param bestValid the lowest {@link Epoch#validScore} of a checkpoint so far (null before any)
 * @param bestCheckpoint the checkpoint directory with that perplexity
 * @param badEpochs complete epochs in a row without improvement
 * @param finished why training stopped, or null while it goes on
 */
public record TrainState(int epoch, int batchInEpoch, long steps, double epochLoss, long epochTokens,
    double epochSeconds, Double bestValid, String bestCheckpoint, int badEpochs, List<Epoch> history,
    String finished) {

  /**
   * One validation: after epoch {@code epoch} (complete, or {@code batches} batches into it).
   *
   * @param trainLoss mean training loss over the epoch's batches so far
   * @param validPerplexity validation perplexity (infinite for a sparse head that gives some
   *     validation word probability 0)
   * @param validScore what model selection compares: the validation perplexity, or for sparse
   *     heads the epsilon-smoothed one ({@link Perplexity#DEFAULT_EPSILON})
   * @param seconds training seconds of the epoch (without validation)
   */
  public record Epoch(int epoch, int batches, boolean complete, long steps, double trainLoss,
      double validPerplexity, double validScore, double learningRate, double seconds, double tokensPerSecond,
      double validSeconds) {}

  public TrainState {
    history = List.copyOf(history);
  }

  static TrainState start() {
    return new TrainState(0, 0, 0, 0, 0, 0, null, null, 0, List.of(), null);
  }

  TrainState withHistory(Epoch e) {
    List<Epoch> h = new ArrayList<>(history);
    h.add(e);
    return new TrainState(epoch, batchInEpoch, steps, epochLoss, epochTokens, epochSeconds, bestValid,
        bestCheckpoint, badEpochs, h, finished);
  }
}
