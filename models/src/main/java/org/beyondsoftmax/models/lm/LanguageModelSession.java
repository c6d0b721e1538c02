package org.beyondsoftmax.models.lm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.beyondsoftmax.models.cache.CacheMemory;
import org.beyondsoftmax.models.cache.CacheSettings;
import org.beyondsoftmax.ops.Kernels;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.RunMetadata;
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
   * heads; else null), the state after the batch, and other outputs asked for by name (each
   * [B * T'] row-major, as float).
   */
  public record EvalResult(float[] logProbs, float[] support, float[][] state, Map<String, float[]> outputs) {
    public EvalResult(float[] logProbs, float[] support, float[][] state) {
      this(logProbs, support, state, Map.of());
    }
  }

  private final Graph graph;
  private final Session session;
  private final LanguageModelGraph g;
  private final LanguageModel.Config config;
  private final LanguageModelGraph.Training training;
  private final int steps;
  private final int topK;
  private final CacheSettings cache;

  /**
   * Builds the graph and an initialised session.
   *
   * @param steps T, the unrolled length (the BPTT length in training)
   * @param topK k of {@value Signatures#SERVING}
   */
  public LanguageModelSession(LanguageModel.Config config, LanguageModelGraph.Training training, int steps,
      int topK) {
    this(config, training, steps, topK, null);
  }

  /**
   * Builds the graph of a model with a cache ({@code cache} not null) and an initialised session.
   */
  public LanguageModelSession(LanguageModel.Config config, LanguageModelGraph.Training training, int steps,
      int topK, CacheSettings cache) {
    this.config = config;
    this.training = training;
    this.steps = steps;
    this.topK = topK;
    this.cache = cache;
    this.graph = new Graph();
    try {
      this.g = new LanguageModelGraph(graph, config, training, steps, topK, cache);
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
    return portable(config, training, steps, topK, null);
  }

  /** A {@link #portable} session of a model with a cache ({@code cache} not null). */
  public static LanguageModelSession portable(LanguageModel.Config config, LanguageModelGraph.Training training,
      int steps, int topK, CacheSettings cache) {
    try (var portable = Kernels.portable()) {
      return new LanguageModelSession(config, training, steps, topK, cache);
    }
  }

  /** A {@link #portable} session with the same configuration as this one. */
  LanguageModelSession portableTwin() {
    return portable(config, training, steps, topK, cache);
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

  /**
   * The state tensors per batch row: 2 L for the LSTM (c and h per layer), 0 for the Transformer;
   * 2 more with a cache.
   */
  public int stateTensors() {
    return g.stateTensors();
  }

  /** The cache, or null for a model without one. */
  public CacheSettings cache() {
    return cache;
  }

  /**
   * The initial state for {@code batch} rows: the backbone's arrays of batch * H zeros (2 L for the
   * LSTM), and with a cache an empty memory (batch * L H zeros, batch * L words
   * {@link CacheMemory#EMPTY}).
   */
  public float[][] zeroState(int batch) {
    float[][] s = new float[g.stateTensors()][];
    int lstm = g.model.stateTensors();
    for (int i = 0; i < lstm; i++) {
      s[i] = new float[batch * config.hidden()];
    }
    if (cache != null) {
      List<Integer> widths = CacheMemory.widths(cache.size(), config.hidden());
      for (int i = 0; i < widths.size(); i++) {
        s[lstm + i] = new float[batch * widths.get(i)];
        Arrays.fill(s[lstm + i], CacheMemory.emptyValues().get(i));
      }
    }
    return s;
  }

  /** One optimizer step on {@code batch} from {@code state} (null: zeros). */
  public StepResult train(TbpttBatches.Batch batch, float[][] state) {
    return BatchRuns.train(session, batch, state, g.stateTensors());
  }

  /**
   * {@link #train} traced by TensorFlow: {@code trace} gets the step's {@link RunMetadata} (every
   * node's start and end in its step stats). For profiling; a traced step is slower than a plain one.
   */
  public StepResult traceTrain(TbpttBatches.Batch batch, float[][] state, Consumer<RunMetadata> trace) {
    return BatchRuns.train(session, batch, state, g.stateTensors(), trace);
  }

  /** The inference pass over {@code batch} from {@code state} (null: zeros); no variable changes. */
  public EvalResult evaluate(TbpttBatches.Batch batch, float[][] state) {
    return BatchRuns.evaluate(session, batch, state, g.stateTensors(), g.support != null);
  }

  /**
   * The inference pass with scalar inputs fed by name (e.g. {@value Signatures#CACHE_LAMBDA}) and
   * the per-position outputs {@code outputs} fetched too (e.g. {@value Signatures#HEAD_LOG_PROBS}).
   */
  public EvalResult evaluate(TbpttBatches.Batch batch, float[][] state, Map<String, Float> scalars,
      List<String> outputs) {
    return BatchRuns.evaluate(session, batch, state, g.stateTensors(), g.support != null, scalars, outputs);
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
