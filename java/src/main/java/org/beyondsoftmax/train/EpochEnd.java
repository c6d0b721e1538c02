package org.beyondsoftmax.train;

import java.io.IOException;
import java.util.function.DoubleConsumer;
import java.util.function.DoubleSupplier;
import org.beyondsoftmax.corpus.Corpus;

/**
 * The end of an epoch, or of a run stopped mid-epoch, the same for one process ({@link Trainer})
 * and for a cluster's chief ({@link ClusterTrainer}): validation perplexity (epsilon-smoothed for
 * sparse heads), the learning rate times {@code lrDecay} after a complete epoch without
 * improvement, early stopping after {@code patience} of them, and a checkpoint of the state that
 * follows, which names itself as the best when it is.
 */
final class EpochEnd {
  /** Writes the checkpoint of {@code next} (with the carried LSTM state unless {@code complete}). */
  @FunctionalInterface
  interface Checkpoint {
    void write(TrainState next, boolean complete) throws IOException;
  }

  /** What the end of an epoch needs of the model being trained. */
  record Model(Perplexity.Evaluator evaluator, boolean sparse, DoubleSupplier learningRate,
      DoubleConsumer setLearningRate, Checkpoint checkpoint) {}

  /**
   * Where training stands: {@code batch} batches into epoch {@code epoch} (0-based), {@code steps}
   * updates in all, the epoch's loss sum (mean loss x tokens), tokens and training seconds.
   */
  record Position(int epoch, int batch, boolean complete, long steps, double loss, long tokens, double seconds) {}

  private EpochEnd() {}

  /** Validates, decides, checkpoints; returns the state that follows {@code state}. */
  static TrainState run(Model model, Corpus corpus, TrainSettings settings, TrainState state, Position at,
      TrainListener listener) throws IOException {
    long validStart = System.nanoTime();
    Perplexity p = Perplexity.of(model.evaluator(), corpus.valid(), settings.evalBatch(), settings.bptt(),
        corpus.vocabulary().size(), Perplexity.DEFAULT_EPSILON, null);
    double valid = model.sparse() ? p.smoothedPerplexity() : p.perplexity();
    double validSeconds = (System.nanoTime() - validStart) / 1e9;
    double lr = model.learningRate().getAsDouble();
    boolean complete = at.complete();
    TrainState.Epoch record = new TrainState.Epoch(at.epoch() + 1, at.batch(), complete, at.steps(),
        at.tokens() == 0 ? Double.NaN : at.loss() / at.tokens(), p.perplexity(), valid, lr, at.seconds(),
        at.tokens() / at.seconds(), validSeconds);
    listener.validated(record);
    boolean improved = state.bestValid() == null || valid < state.bestValid();
    int bad = improved ? 0 : state.badEpochs() + (complete ? 1 : 0);
    if (complete && !improved) {
      model.setLearningRate().accept(lr * settings.lrDecay());
      listener.message(String.format("no improvement on %.2f: learning rate %.4g -> %.4g", state.bestValid(),
          lr, lr * settings.lrDecay()));
    }
    String finished = null;
    if (bad >= settings.patience()) {
      finished = "early stop: no validation improvement in " + bad + " epochs";
    }
    int epoch = complete ? at.epoch() + 1 : at.epoch();
    int batch = complete ? 0 : at.batch();
    // the checkpoint's name is known before it is written: the best can name itself
    TrainState next = new TrainState(epoch, batch, at.steps(), complete ? 0 : at.loss(), complete ? 0 : at.tokens(),
        complete ? 0 : at.seconds(), improved ? Double.valueOf(valid) : state.bestValid(),
        improved ? Checkpoints.nameOf(at.steps(), epoch, batch) : state.bestCheckpoint(),
        bad, state.history(), finished).withHistory(record);
    model.checkpoint().write(next, complete);
    return next;
  }
}
