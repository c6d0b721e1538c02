package org.beyondsoftmax.models.lm;

import java.io.IOException;
import java.nio.file.Path;
import org.beyondsoftmax.ops.Kernels;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A {@link LanguageModelGraph} in its own graph and session: runs it to train, evaluate, read and
 * set the learning rate, checkpoint and export (through {@link SavedModelExport}, as a SavedModel
 * whose graph needs nothing but TensorFlow). Builds nothing itself beyond the graph it owns.
 */
public final class LanguageModelSession implements AutoCloseable {
  /** The mean loss and gradient norm of one training step, and the state after the batch. */
  public record StepResult(double loss, double gradientNorm, float[][] state) {}

  /**
   * The inference pass over a batch: log p(target) [B * T'] row-major, the support sizes (sparse
   * heads; else null) and the state after the batch.
   */
  public record EvalResult(float[] logProbs, float[] support, float[][] state) {}

  private final Graph graph;
  private final Session session;
  private final LanguageModelGraph g;
  private final LanguageModel.Config config;
  private final LanguageModelGraph.Training training;
  private final int steps;
  private final int topK;

  /**
   * Builds the graph and an initialised session.
   *
   * @param steps T, the unrolled length (the BPTT length in training)
   * @param topK k of {@value Signatures#SERVING}
   */
  public LanguageModelSession(LanguageModel.Config config, LanguageModelGraph.Training training, int steps,
      int topK) {
    this.config = config;
    this.training = training;
    this.steps = steps;
    this.topK = topK;
    this.graph = new Graph();
    try {
      this.g = new LanguageModelGraph(graph, config, training, steps, topK);
      this.session = new Session(graph);
      session.initialize();
    } catch (RuntimeException | Error e) {
      graph.close();
      throw e;
    }
  }

  /**
   * A session whose graph uses TensorFlow's own ops only, whatever fused kernels are loaded
   * ({@link Kernels#portable()}): the one to export from.
   */
  public static LanguageModelSession portable(LanguageModel.Config config, LanguageModelGraph.Training training,
      int steps, int topK) {
    try (var portable = Kernels.portable()) {
      return new LanguageModelSession(config, training, steps, topK);
    }
  }

  /** A {@link #portable} session with the same configuration as this one. */
  LanguageModelSession portableTwin() {
    return portable(config, training, steps, topK);
  }

  public Graph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  public LanguageModelGraph modelGraph() {
    return g;
  }

  public LanguageModel<TFloat32> model() {
    return g.model;
  }

  /** T, the unrolled length. */
  public int steps() {
    return steps;
  }

  /** The state tensors per batch row: 2 L for the LSTM (c and h per layer), 0 for the Transformer. */
  public int stateTensors() {
    return g.stateTensors();
  }

  /** A zero state for {@code batch} rows: {@link #stateTensors()} arrays of batch * H. */
  public float[][] zeroState(int batch) {
    float[][] s = new float[g.stateTensors()][];
    for (int i = 0; i < s.length; i++) {
      s[i] = new float[batch * config.hidden()];
    }
    return s;
  }

  /** One optimizer step on {@code batch} from {@code state} (null: zeros). */
  public StepResult train(TbpttBatches.Batch batch, float[][] state) {
    return BatchRuns.train(session, batch, state, g.stateTensors());
  }

  /** The inference pass over {@code batch} from {@code state} (null: zeros); no variable changes. */
  public EvalResult evaluate(TbpttBatches.Batch batch, float[][] state) {
    return BatchRuns.evaluate(session, batch, state, g.stateTensors(), g.support != null);
  }

  /** The current base learning rate. */
  public double learningRate() {
    try (Result r = session.runner().fetch(g.learningRate).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  public void setLearningRate(double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("learning rate must be finite and > 0, got " + value);
    }
    try (TFloat32 v = TFloat32.scalarOf((float) value)) {
      session.runner().feed(g.newLearningRate, v).addTarget(g.setLearningRate).run();
    }
  }

  /** The number of optimizer steps taken so far. */
  public long step() {
    try (Result r = session.runner().fetch(g.globalStep).run()) {
      return ((TInt64) r.get(0)).getLong();
    }
  }

  /** Writes every variable (weights, optimizer moments, learning rate, step) to {@code prefix}.*. */
  public void save(Path prefix) {
    session.save(prefix.toString());
  }

  /** Reads every variable from a {@link #save} of a session built with the same config. */
  public void restore(Path prefix) {
    session.restore(prefix.toString());
  }

  /**
   * Exports the graph and the current variables as a SavedModel (tag {@code serve}) of
   * TensorFlow's own ops to {@code dir} ({@link SavedModelExport}).
   */
  public void export(Path dir) throws IOException {
    SavedModelExport.export(this, dir);
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
