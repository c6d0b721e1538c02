package org.beyondsoftmax.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.beyondsoftmax.ops.Kernels;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.TensorFlow;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.OpDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A {@link LanguageModel} in its own graph and session, ready to train, evaluate, checkpoint and
 * export as a SavedModel whose graph needs nothing but TensorFlow (float32).
 *
 * <p>The graph takes {@code ids} and {@code targets} [B, T'] (int32) for any batch size B and
 * any T' &lt;= T, the unrolled length: inputs are left-padded to T with positions of weight 0,
 * which leave the LSTM state unchanged, so a short prompt gives the same result as if the graph
 * were unrolled to its length. Optional inputs (defaults in brackets): {@code weights} [B, T']
 * [ones] and the initial state {@code state_in_0 .. state_in_{2L-1}} (c0, h0, c1, h1, ...; [B, H])
 * [zeros]. Two applications of the model share the variables: one with dropout for training, one
 * without for inference. Outputs:
 *
 * <ul>
 *   <li>{@code train_loss}: the weighted mean training loss of the batch (the head's loss,
 *       cross-entropy for full-support heads); fetching it runs one optimizer step;
 *       {@code train_state_i}: the final state of that training pass (with dropout);
 *   <li>{@code log_probs} [B, T']: log p(target | ids so far), without dropout (-inf where a
 *       sparse head gives 0); {@code support} [B, T']: the number of words with p &gt; 0 (sparse
 *       heads only); {@code eval_state_i}: the final state of that pass;
 *   <li>{@code top_ids}, {@code top_probabilities} [B, k]: the k most probable next words after
 *       the last position.
 * </ul>
 *
 * <p>Signatures of the SavedModel: {@value #SERVING} (ids -&gt; top_ids, top_probabilities),
 * {@value #LOG_PROB} (ids, targets -&gt; log_probs, and support for sparse heads),
 * {@value #NEXT_WORD} (ids -&gt; log_probabilities [B, V] of the next word: logits for
 * calibration) and
 * {@value #TRAIN_STEP} (ids, targets -&gt; loss; running it applies one update, from a zero state).
 * The learning rate ({@code learning_rate}) and the update count ({@code global_step}, the
 * dropout key) are variables: they are checkpointed and exported with the weights.
 */
public final class LanguageModelSession implements AutoCloseable {
  public static final String SERVING = "serving_default";
  public static final String LOG_PROB = "log_prob";
  public static final String TRAIN_STEP = "train_step";
  public static final String NEXT_WORD = "next_word";
  public static final String NEXT_LOG_PROBABILITIES = "log_probabilities";
  public static final String IDS = "ids";
  public static final String TARGETS = "targets";
  public static final String WEIGHTS = "weights";
  public static final String TRAIN_LOSS = "train_loss";
  public static final String LOG_PROBS = "log_probs";
  public static final String SUPPORT = "support";
  public static final String TOP_IDS = "top_ids";
  public static final String TOP_PROBABILITIES = "top_probabilities";
  public static final String GRADIENT_NORM = "gradient_norm";
  public static final String LEARNING_RATE = "learning_rate";
  public static final String GLOBAL_STEP = "global_step";

  /**
   * How the model trains.
   *
   * @param learningRate the initial base rate (a variable afterwards: {@link #setLearningRate})
   * @param dropout the rate of {@link LockedDropout} on embeddings, between layers and on the top
   *     layer's outputs
   */
  public record Training(Optimizer.Settings optimizer, double learningRate, double dropout) {
    public Training {
      if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
        throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
      }
      if (!(dropout >= 0 && dropout < 1)) {
        throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
      }
    }
  }

  /** The mean loss and gradient norm of one training step, and the state after the batch. */
  public record StepResult(double loss, double gradientNorm, float[][] state) {}

  /**
   * The inference pass over a batch: log p(target) [B * T'] row-major, the support sizes (sparse
   * heads; else null) and the state after the batch.
   */
  public record EvalResult(float[] logProbs, float[] support, float[][] state) {}

  private final Graph graph;
  private final Session session;
  private final LanguageModel<TFloat32> model;
  private final Training training;
  private final int steps;
  private final int topK;
  private final Placeholder<TInt32> ids;
  private final Placeholder<TInt32> targets;
  private final Operand<TFloat32> weights;
  private final List<Operand<TFloat32>> stateIn = new ArrayList<>();
  private final List<Operand<TFloat32>> trainState = new ArrayList<>();
  private final List<Operand<TFloat32>> evalState = new ArrayList<>();
  private final Operand<TFloat32> trainLoss;
  private final Operand<TFloat32> gradientNorm;
  private final Operand<TFloat32> logProbs;
  private final Operand<TFloat32> support;
  private final Operand<TInt32> topIds;
  private final Operand<TFloat32> topProbabilities;
  private final Operand<TFloat32> nextLogProbabilities;
  private final Variable<TFloat32> learningRate;
  private final Variable<TInt64> globalStep;
  private final Placeholder<TFloat32> newLearningRate;
  private final Op setLearningRate;

  /**
   * Builds the graph and an initialised session.
   *
   * @param steps T, the unrolled length (the BPTT length in training)
   * @param topK k of {@value #SERVING}
   */
  public LanguageModelSession(LanguageModel.Config config, Training training, int steps, int topK) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    if (topK < 1) {
      throw new IllegalArgumentException("topK must be >= 1, got " + topK);
    }
    this.steps = steps;
    this.topK = topK;
    this.training = training;
    this.graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      model = new LanguageModel<>(tf, TFloat32.class, config);
      learningRate = tf.withName(LEARNING_RATE).variable(tf.withInitScope().constant((float) training.learningRate()));
      globalStep = tf.withName(GLOBAL_STEP).variable(tf.withInitScope().constant(0L));
      newLearningRate = tf.withName("new_learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      setLearningRate = tf.withName("set_learning_rate").assign(learningRate, newLearningRate);

      ids = tf.withName(IDS).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
      targets = tf.withName(TARGETS).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
      Operand<TInt32> idsShape = tf.shape(ids);
      weights = tf.withName(WEIGHTS).placeholderWithDefault(tf.fill(idsShape, tf.constant(1f)), Shape.of(-1, -1));
      Operand<TInt32> batch = tf.squeeze(tf.slice(idsShape, tf.constant(new int[] {0}), tf.constant(new int[] {1})));
      Operand<TInt32> length = tf.squeeze(tf.slice(idsShape, tf.constant(new int[] {1}), tf.constant(new int[] {1})));
      Lstm.State<TFloat32> zero = model.lstm().zeroState(tf, batch);
      List<Operand<TFloat32>> zeros = zero.flat();
      for (int i = 0; i < zeros.size(); i++) {
        stateIn.add(tf.withName("state_in_" + i).placeholderWithDefault(zeros.get(i), Shape.of(-1, config.hidden())));
      }
      Lstm.State<TFloat32> initial = Lstm.State.ofFlat(stateIn);

      // left-pad [B, T'] to [B, T]; T' > T fails with a clear message
      Ops in = tf.withSubScope("inputs");
      Operand<TInt32> pad = in.math.sub(in.constant(steps), length);
      var check = in.assertThat(in.math.greaterEqual(pad, in.constant(0)), List.of(in.constant(
          "the model is unrolled over " + steps + " steps: ids and targets may have at most " + steps
              + " columns; got"), length));
      Ops checked = in.withControlDependencies(List.of(check));
      Operand<TInt32> paddings = checked.reshape(checked.stack(List.of(in.constant(0), in.constant(0), pad, in.constant(0))),
          in.constant(new int[] {2, 2}));
      long[] padded = {-1, steps};
      Operand<TInt32> idsP = checked.reshape(checked.pad(ids, paddings, in.constant(0)), in.constant(padded));
      Operand<TInt32> targetsP = checked.reshape(checked.pad(targets, paddings, in.constant(0)), in.constant(padded));
      Operand<TFloat32> weightsP = checked.reshape(checked.pad(weights, paddings, in.constant(0f)), in.constant(padded));
      Operand<TInt32> targetRows = LanguageModel.timeMajor(in, targetsP);
      Operand<TFloat32> weightRows = LanguageModel.timeMajor(in, weightsP);

      // training pass: dropout keyed by the update count, weighted mean loss, one optimizer step
      Ops tr = tf.withSubScope("train");
      LockedDropout<TFloat32> dropout = new LockedDropout<>(training.dropout(), config.seed(),
          tr.identity(globalStep));
      LanguageModel.Forward<TFloat32> train = model.forward(tr, idsP, weightsP, initial, dropout);
      Operand<TFloat32> rows = model.head().loss(train.hidden(), targetRows);
      Operand<TFloat32> loss = tr.math.div(tr.reduceSum(tr.math.mul(rows, weightRows), tr.constant(0)),
          tr.math.maximum(tr.reduceSum(weightRows, tr.constant(0)), tr.constant(1f)));
      List<Operand<TFloat32>> finalTrain = train.state().flat();
      Optimizer.Step<TFloat32> step = Optimizer.minimize(tr, loss, model.parameters(), learningRate,
          globalStep, training.optimizer(), finalTrain);
      Ops done = tf.withControlDependencies(List.of(step.update()));
      trainLoss = done.withName(TRAIN_LOSS).identity(loss);
      gradientNorm = done.withName(GRADIENT_NORM).identity(step.gradientNorm());
      for (int i = 0; i < finalTrain.size(); i++) {
        trainState.add(tf.withName("train_state_" + i).identity(finalTrain.get(i)));
      }

      // inference pass: per-token log-probabilities, support sizes, the next word's top k
      Ops ev = tf.withSubScope("infer");
      LanguageModel.Forward<TFloat32> infer = model.forward(ev, idsP, weightsP, initial, null);
      Operand<TFloat32> logp = model.head().logProbabilities(infer.hidden());
      Operand<TInt32> rowIds = ev.range(ev.constant(0), ev.squeeze(ev.shape(targetRows)), ev.constant(1));
      Operand<TFloat32> picked = ev.gatherNd(logp, ev.stack(List.of(rowIds, targetRows), Stack.axis(1L)));
      Operand<TInt32> from = ev.stack(List.of(ev.constant(0), pad));
      Operand<TInt32> all = ev.constant(new int[] {-1, -1});
      logProbs = tf.withName(LOG_PROBS).slice(LanguageModel.batchMajor(ev, picked, steps), from, all);
      if (model.head().isSparse()) {
        Operand<TFloat32> count = ev.reduceSum(ev.dtypes.cast(ev.math.isFinite(logp), TFloat32.class), ev.constant(1));
        support = tf.withName(SUPPORT).slice(LanguageModel.batchMajor(ev, count, steps), from, all);
      } else {
        support = null;
      }
      List<Operand<TFloat32>> finalEval = infer.state().flat();
      for (int i = 0; i < finalEval.size(); i++) {
        evalState.add(tf.withName("eval_state_" + i).identity(finalEval.get(i)));
      }
      Operand<TFloat32> last = ev.gather(ev.reshape(infer.hidden(), ev.constant(new long[] {steps, -1, config.hidden()})),
          ev.constant(steps - 1), ev.constant(0));
      TopK<TFloat32> top = model.head().topK(last, topK);
      topIds = tf.withName(TOP_IDS).identity(top.ids());
      topProbabilities = tf.withName(TOP_PROBABILITIES).identity(top.probabilities());
      nextLogProbabilities = tf.withName("next_log_probabilities").identity(model.head().logProbabilities(last));

      session = new Session(graph);
      session.initialize();
    } catch (RuntimeException | Error e) {
      graph.close();
      throw e;
    }
  }

  /**
   * A session whose graph uses TensorFlow's own ops only, whatever fused kernels are loaded
   * ({@link Kernels#portable()}): the one to {@link #export} from (restore the trained variables
   * into it first; the variables are the same in either graph).
   */
  public static LanguageModelSession portable(LanguageModel.Config config, Training training, int steps, int topK) {
    try (var portable = Kernels.portable()) {
      return new LanguageModelSession(config, training, steps, topK);
    }
  }

  public Graph graph() {
    return graph;
  }

  public Session session() {
    return session;
  }

  public LanguageModel<TFloat32> model() {
    return model;
  }

  /** T, the unrolled length. */
  public int steps() {
    return steps;
  }

  /** The state tensors per batch row: 2 L (c and h per layer). */
  public int stateTensors() {
    return stateIn.size();
  }

  /** A zero state for {@code batch} rows: 2 L arrays of batch * H. */
  public float[][] zeroState(int batch) {
    float[][] s = new float[stateIn.size()][];
    for (int i = 0; i < s.length; i++) {
      s[i] = new float[batch * model.config().hidden()];
    }
    return s;
  }

  /** One optimizer step on {@code batch} from {@code state} (null: zeros). */
  public StepResult train(TbpttBatches.Batch batch, float[][] state) {
    List<Tensor> feeds = new ArrayList<>();
    try {
      Session.Runner r = feed(session.runner(), batch, state, feeds);
      r.fetch(trainLoss).fetch(gradientNorm);
      trainState.forEach(r::fetch);
      try (Result out = r.run()) {
        return new StepResult(((TFloat32) out.get(0)).getFloat(), ((TFloat32) out.get(1)).getFloat(),
            states(out, 2, trainState.size()));
      }
    } finally {
      feeds.forEach(Tensor::close);
    }
  }

  /** The inference pass over {@code batch} from {@code state} (null: zeros); no variable changes. */
  public EvalResult evaluate(TbpttBatches.Batch batch, float[][] state) {
    List<Tensor> feeds = new ArrayList<>();
    try {
      Session.Runner r = feed(session.runner(), batch, state, feeds);
      r.fetch(logProbs);
      if (support != null) {
        r.fetch(support);
      }
      evalState.forEach(r::fetch);
      try (Result out = r.run()) {
        int k = support != null ? 2 : 1;
        return new EvalResult(floats(out.get(0)), support != null ? floats(out.get(1)) : null,
            states(out, k, evalState.size()));
      }
    } finally {
      feeds.forEach(Tensor::close);
    }
  }

  private Session.Runner feed(Session.Runner r, TbpttBatches.Batch b, float[][] state, List<Tensor> feeds) {
    Shape shape = Shape.of(b.batch(), b.steps());
    Tensor i = TInt32.tensorOf(shape, DataBuffers.of(b.ids(), true, false));
    feeds.add(i);
    Tensor t = TInt32.tensorOf(shape, DataBuffers.of(b.targets(), true, false));
    feeds.add(t);
    Tensor w = TFloat32.tensorOf(shape, DataBuffers.of(b.weights(), true, false));
    feeds.add(w);
    r.feed(ids, i).feed(targets, t).feed(weights, w);
    if (state != null) {
      if (state.length != stateIn.size()) {
        throw new IllegalArgumentException("state must hold " + stateIn.size() + " arrays, got " + state.length);
      }
      Shape s = Shape.of(b.batch(), model.config().hidden());
      for (int k = 0; k < state.length; k++) {
        Tensor x = TFloat32.tensorOf(s, DataBuffers.of(state[k], true, false));
        feeds.add(x);
        r.feed(stateIn.get(k), x);
      }
    }
    return r;
  }

  private static float[][] states(Result out, int first, int count) {
    float[][] s = new float[count][];
    for (int k = 0; k < count; k++) {
      s[k] = floats(out.get(first + k));
    }
    return s;
  }

  static float[] floats(Tensor t) {
    float[] a = new float[(int) t.shape().size()];
    ((TFloat32) t).copyTo(DataBuffers.of(a, false, false));
    return a;
  }

  /** The current base learning rate. */
  public double learningRate() {
    try (Result r = session.runner().fetch(learningRate).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  public void setLearningRate(double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException("learning rate must be finite and > 0, got " + value);
    }
    try (TFloat32 v = TFloat32.scalarOf((float) value)) {
      session.runner().feed(newLearningRate, v).addTarget(setLearningRate).run();
    }
  }

  /** The number of optimizer steps taken so far. */
  public long step() {
    try (Result r = session.runner().fetch(globalStep).run()) {
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

  /** The four signatures of the SavedModel. */
  public List<Signature> signatures() {
    Signature.Builder logProb = Signature.builder(LOG_PROB).input(IDS, ids).input(TARGETS, targets)
        .output(LOG_PROBS, logProbs);
    if (support != null) {
      logProb.output(SUPPORT, support);
    }
    return List.of(
        Signature.builder(SERVING).input(IDS, ids).output(TOP_IDS, topIds)
            .output(TOP_PROBABILITIES, topProbabilities).build(),
        logProb.build(),
        Signature.builder(NEXT_WORD).input(IDS, ids).output(NEXT_LOG_PROBABILITIES, nextLogProbabilities).build(),
        Signature.builder(TRAIN_STEP).input(IDS, ids).input(TARGETS, targets).output("loss", trainLoss).build());
  }

  /**
   * Exports the graph and the current variables as a SavedModel (tag {@code serve}) to
   * {@code dir}. The SavedModel holds only TensorFlow's own ops: if this graph uses fused kernels
   * of the native module, the variables go through a temporary checkpoint into a {@link #portable}
   * twin of this session, which is exported instead (same variables, same signatures).
   */
  public void export(Path dir) throws IOException {
    if (foreignOps(graph).isEmpty()) {
      exportThis(dir);
      return;
    }
    Path tmp = Files.createTempDirectory("beyond-export-");
    try {
      save(tmp.resolve("variables"));
      try (LanguageModelSession twin = portable(model.config(), training, steps, topK)) {
        twin.restore(tmp.resolve("variables"));
        twin.exportThis(dir);
      }
    } finally {
      try (var files = Files.list(tmp)) {
        for (Path f : files.toList()) {
          Files.deleteIfExists(f);
        }
      }
      Files.deleteIfExists(tmp);
    }
  }

  private void exportThis(Path dir) throws IOException {
    Set<String> foreign = foreignOps(graph);
    if (!foreign.isEmpty()) {
      throw new IllegalStateException("the graph holds ops that are not TensorFlow's own: " + foreign
          + "; a SavedModel with them would not load without this library");
    }
    SavedModelBundle.exporter(dir.toString()).withSession(session)
        .withSignatures(signatures().toArray(new Signature[0])).export();
  }

  /** Every op type in {@code graph}, sorted. */
  public static Set<String> opTypes(Graph graph) {
    Set<String> types = new TreeSet<>();
    for (Iterator<GraphOperation> it = graph.operations(); it.hasNext();) {
      types.add(it.next().type());
    }
    return types;
  }

  /**
   * The op types of {@code graph} that TensorFlow itself does not define: not in
   * {@link TensorFlow#registeredOpList()}, or this project's fused kernels ({@code Beyond*},
   * registered in-process when they are loaded).
   */
  public static Set<String> foreignOps(Graph graph) {
    Set<String> registered = TensorFlow.registeredOpList().getOpList().stream().map(OpDef::getName)
        .collect(Collectors.toSet());
    return opTypes(graph).stream().filter(t -> !registered.contains(t) || t.startsWith("Beyond"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
