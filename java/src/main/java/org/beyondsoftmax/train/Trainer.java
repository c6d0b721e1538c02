package org.beyondsoftmax.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.beyondsoftmax.corpus.Corpus;
import org.beyondsoftmax.corpus.Vocabulary;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.models.lm.LanguageModelSession;
import org.beyondsoftmax.models.lm.ModelDirectory;
import org.beyondsoftmax.models.lm.TbpttBatches;

/**
 * Trains a {@link org.beyondsoftmax.models.lm.LanguageModel} on a corpus into {@code OUT}:
 * truncated BPTT over the training stream in order (the LSTM's state carried from batch to batch,
 * reset at each epoch; a Transformer has none: each window is its own context), validation perplexity after each epoch (epsilon-smoothed for sparse
 * heads, whose plain perplexity is infinite as soon as one word gets probability 0), the learning rate multiplied by
 * {@code lrDecay} after an epoch without improvement, early stopping after {@code patience} of
 * them, a checkpoint after each epoch ({@link Checkpoints}; also when {@code maxSteps} stops a
 * run mid-epoch), and at the end a SavedModel of the best checkpoint in {@code OUT}
 * ({@code saved_model.pb}, {@code variables/}) with {@code model.json} and {@code vocab.txt}.
 *
 * <p>A run resumed from its latest checkpoint continues exactly where that checkpoint was taken:
 * the variables, the update count (the dropout key), the learning rate, the carried state and the
 * position in the epoch are all restored, so for a fixed seed it gives the same result as a run
 * that was never interrupted.
 */
public final class Trainer {
  private final ModelDirectory out;
  private final Corpus corpus;
  private final TrainListener listener;

  public Trainer(Path out, Corpus corpus, TrainListener listener) {
    this.out = new ModelDirectory(out);
    this.corpus = corpus;
    this.listener = listener;
  }

  /** Whether {@code out} holds a run that {@link #run} can resume. */
  public static boolean hasCheckpoint(Path out) {
    return new Checkpoints(new ModelDirectory(out)).exists();
  }

  /** The settings a run in {@code out} was started with. */
  public static TrainSettings settingsOf(Path out) throws IOException {
    return Json.read(new ModelDirectory(out).settings(), TrainSettings.class);
  }

  /**
   * Trains (resuming from the latest checkpoint in {@code out} if there is one) and exports.
   *
   * @return the final state (its history holds every validation)
   */
  public TrainState run(TrainSettings settings) throws IOException {
    Checkpoints checkpoints = prepare(settings);
    int vocabulary = corpus.vocabulary().size();
    TrainState state;
    float[][] carried;
    try (LanguageModelSession session = new LanguageModelSession(settings.model(vocabulary), settings.training(),
        settings.bptt(), settings.topK(), settings.cache())) {
      var latest = checkpoints.latest();
      if (latest.isPresent()) {
        session.restore(checkpoints.variables(latest.get().name()));
        state = latest.get().state();
        carried = latest.get().carried();
        listener.message("resumed from " + latest.get().name() + ": epoch " + (state.epoch() + 1) + ", batch "
            + state.batchInEpoch() + ", " + state.steps() + " steps, learning rate " + session.learningRate());
        if (session.step() != state.steps()) {
          throw new IOException("checkpoint " + latest.get().name() + " is inconsistent: its variables say "
              + session.step() + " steps, its state " + state.steps());
        }
      } else {
        state = TrainState.start();
        carried = null;
        listener.message(String.format("model: %s, %,d parameters (head %s: %,d)%s; corpus %s",
            settings.backboneConfig(), session.model().parameterCount(), settings.head(),
            session.model().head().parameterCount(), settings.cache() == null ? ""
                : String.format(", cache L = %d trained %s", settings.cache().size(), settings.cache().training().label()),
            corpus.summary()));
      }
      state = train(session, settings, checkpoints, state, carried);
    }
    export(settings, checkpoints, state);
    return state;
  }

  /**
   * Makes {@code out}, checks that a run there was trained on this corpus's vocabulary, writes the
   * settings and the vocabulary; returns the run's checkpoints.
   */
  Checkpoints prepare(TrainSettings settings) throws IOException {
    Files.createDirectories(out.dir());
    Checkpoints checkpoints = new Checkpoints(out);
    Path vocabularyFile = out.vocabulary();
    if (checkpoints.exists() && Files.exists(vocabularyFile)) {
      Vocabulary saved = Vocabulary.read(vocabularyFile);
      if (!saved.fingerprint().equals(corpus.vocabulary().fingerprint())) {
        throw new IOException("cannot resume " + out.dir() + ": the corpus " + corpus.name()
            + " gives another vocabulary (" + corpus.vocabulary().size() + " words) than the run was trained on ("
            + saved.size() + " words, " + vocabularyFile + "); resume with the run's corpus");
      }
    }
    Json.write(out.settings(), settings);
    corpus.vocabulary().write(vocabularyFile);
    return checkpoints;
  }

  private TrainState train(LanguageModelSession session, TrainSettings settings, Checkpoints checkpoints,
      TrainState state, float[][] carried) throws IOException {
    TbpttBatches batches = new TbpttBatches(corpus.train(), settings.batch(), settings.bptt());
    while (state.finished() == null) {
      if (state.epoch() >= settings.epochs()) {
        return finish(state, "completed " + settings.epochs() + " epochs");
      }
      if (settings.maxSteps() > 0 && state.steps() >= settings.maxSteps()) {
        return finish(state, "reached --max-steps " + settings.maxSteps());
      }
      int epoch = state.epoch();
      int batch = state.batchInEpoch();
      long steps = state.steps();
      double loss = state.epochLoss();
      long tokens = state.epochTokens();
      double seconds = state.epochSeconds();
      listener.epochStarted(epoch, settings.epochs(), batch, batches.size());
      long start = System.nanoTime();
      while (batch < batches.size() && (settings.maxSteps() == 0 || steps < settings.maxSteps())) {
        TbpttBatches.Batch b = batches.get(batch);
        LanguageModelSession.StepResult r = session.train(b, carried);
        if (!Double.isFinite(r.loss())) {
          throw new IllegalStateException("the training loss is " + r.loss() + " at step " + steps
              + " (epoch " + (epoch + 1) + ", batch " + batch + "); try a lower --lr or --clip");
        }
        carried = r.state();
        int n = b.tokens();
        loss += r.loss() * n;
        tokens += n;
        batch++;
        steps++;
        double elapsed = seconds + (System.nanoTime() - start) / 1e9;
        listener.batchDone(r.loss(), n, tokens / elapsed);
      }
      seconds += (System.nanoTime() - start) / 1e9;
      listener.epochTrained();
      boolean complete = batch == batches.size();
      float[][] state0 = carried;
      EpochEnd.Model model = new EpochEnd.Model(session::evaluate, session.model().head().isSparse(),
          session::learningRate, session::setLearningRate,
          (next, whole) -> checkpoints.write(session, next, whole ? null : state0));
      state = EpochEnd.run(model, corpus, settings, state,
          new EpochEnd.Position(epoch, batch, complete, steps, loss, tokens, seconds), listener);
      carried = complete ? null : carried;
    }
    return state;
  }

  TrainState finish(TrainState state, String why) {
    TrainState done = new TrainState(state.epoch(), state.batchInEpoch(), state.steps(), state.epochLoss(),
        state.epochTokens(), state.epochSeconds(), state.bestValid(), state.bestCheckpoint(), state.badEpochs(),
        state.history(), why);
    listener.message("training stopped: " + why);
    return done;
  }

  /** Exports the best checkpoint to {@code out} from a graph of TensorFlow ops only. */
  void export(TrainSettings settings, Checkpoints checkpoints, TrainState state) throws IOException {
    String name = state.bestCheckpoint();
    if (name == null) {
      listener.message("nothing to export: no checkpoint was validated");
      return;
    }
    Path staging = out.newStaging();
    ModelInfo info;
    try (LanguageModelSession s = LanguageModelSession.portable(settings.model(corpus.vocabulary().size()),
        settings.training(), settings.bptt(), settings.topK(), settings.cache())) {
      s.restore(checkpoints.variables(name));
      s.export(staging);
      info = new ModelInfo(settings.corpus(), corpus.vocabulary().size(), corpus.vocabulary().fingerprint(),
          settings.head(), settings.bptt(), s.model().head().isSparse(), s.model().parameterCount(), name,
          state.bestValid(), settings);
    }
    out.installSavedModel(staging);
    Json.write(out.modelInfo(), info);
    listener.message("exported the SavedModel of " + name + String.format(" (validation perplexity %.2f) to ",
        state.bestValid()) + out.dir().toAbsolutePath().normalize());
  }
}
