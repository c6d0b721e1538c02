package org.beyondsoftmax.models.lm;

import java.util.ArrayList;
import java.util.List;
import org.beyondsoftmax.models.heads.TopK;
import org.beyondsoftmax.models.nn.Dropout;
import org.beyondsoftmax.models.optim.Optimizer;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The graph of a {@link LanguageModel} (float32) that trains, evaluates and serves it: built into
 * a {@link Graph}, nothing run. {@link LanguageModelSession} runs it; its names are those of
 * {@link Signatures}.
 *
 * <p>The graph takes {@code ids} and {@code targets} [B, T'] (int32) for any batch size B and
 * any T' &lt;= T, the unrolled length (the Transformer's: at most its positions): inputs are
 * left-padded to T with positions of weight 0, which leave the LSTM state unchanged and which the
 * Transformer masks as keys and does not count as positions, so a short prompt gives the same
 * result as if the graph were built for its length. Optional inputs (defaults in brackets):
 * {@code weights} [B, T'] [ones] and, for the LSTM only, the initial state
 * {@code state_in_0 .. state_in_{2L-1}} (c0, h0, c1, h1, ...; [B, H]) [zeros]. The Transformer
 * has no state: no {@code state_in_i}, {@code train_state_i} or {@code eval_state_i} tensors, and
 * each window of T positions is its own context. Two applications of the model share the
 * variables: one with dropout for training, one without for inference. Outputs:
 *
 * <ul>
 *   <li>{@code train_loss}: the weighted mean training loss of the batch (the head's loss,
 *       cross-entropy for full-support heads); fetching it runs one optimizer step;
 *       {@code train_state_i}: the final state of that training pass (with dropout; LSTM only);
 *   <li>{@code log_probs} [B, T']: log p(target | ids so far), without dropout (-inf where a
 *       sparse head gives 0); {@code support} [B, T']: the number of words with p &gt; 0 (sparse
 *       heads only); {@code eval_state_i}: the final state of that pass (LSTM only);
 *   <li>{@code top_ids}, {@code top_probabilities} [B, k]: the k most probable next words after
 *       the last position; {@code next_log_probabilities} [B, V].
 * </ul>
 *
 * The learning rate ({@code learning_rate}) and the update count ({@code global_step}, the
 * dropout key) are variables: they are checkpointed and exported with the weights.
 */
public final class LanguageModelGraph {
  /**
   * How the model trains.
   *
   * @param learningRate the initial base rate (a variable afterwards)
   * @param dropout the rate of {@link Dropout} (locked over time for the LSTM) on embeddings, between layers and on the top
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

  final LanguageModel<TFloat32> model;
  final Placeholder<TInt32> ids;
  final Placeholder<TInt32> targets;
  final Operand<TFloat32> weights;
  final List<Operand<TFloat32>> stateIn = new ArrayList<>();
  final List<Operand<TFloat32>> trainState = new ArrayList<>();
  final List<Operand<TFloat32>> evalState = new ArrayList<>();
  final Operand<TFloat32> trainLoss;
  final Operand<TFloat32> gradientNorm;
  final Operand<TFloat32> logProbs;
  final Operand<TFloat32> support;
  final Operand<TInt32> topIds;
  final Operand<TFloat32> topProbabilities;
  final Operand<TFloat32> nextLogProbabilities;
  final Variable<TFloat32> learningRate;
  final Variable<TInt64> globalStep;
  final Placeholder<TFloat32> newLearningRate;
  final Op setLearningRate;

  /**
   * Builds the model's graph into {@code graph}.
   *
   * @param steps T, the unrolled length (the BPTT length in training)
   * @param topK k of {@value Signatures#SERVING}
   */
  public LanguageModelGraph(Graph graph, LanguageModel.Config config, Training training, int steps, int topK) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    if (topK < 1) {
      throw new IllegalArgumentException("topK must be >= 1, got " + topK);
    }
    Ops tf = Ops.create(graph);
    model = new LanguageModel<>(tf, TFloat32.class, config);
    learningRate = tf.withName(Signatures.LEARNING_RATE).variable(tf.withInitScope().constant((float) training.learningRate()));
    globalStep = tf.withName(Signatures.GLOBAL_STEP).variable(tf.withInitScope().constant(0L));
    newLearningRate = tf.withName("new_learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    setLearningRate = tf.withName("set_learning_rate").assign(learningRate, newLearningRate);

    ids = tf.withName(Signatures.IDS).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
    targets = tf.withName(Signatures.TARGETS).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, -1)));
    Operand<TInt32> idsShape = tf.shape(ids);
    weights = tf.withName(Signatures.WEIGHTS).placeholderWithDefault(tf.fill(idsShape, tf.constant(1f)), Shape.of(-1, -1));
    Operand<TInt32> batch = tf.squeeze(tf.slice(idsShape, tf.constant(new int[] {0}), tf.constant(new int[] {1})));
    Operand<TInt32> length = tf.squeeze(tf.slice(idsShape, tf.constant(new int[] {1}), tf.constant(new int[] {1})));
    List<Operand<TFloat32>> zeros = model.zeroState(tf, batch);
    for (int i = 0; i < zeros.size(); i++) {
      stateIn.add(tf.withName(Signatures.stateIn(i)).placeholderWithDefault(zeros.get(i), Shape.of(-1, config.hidden())));
    }

    // left-pad [B, T'] to [B, T]; T' > T fails with a clear message
    Ops in = tf.withSubScope("inputs");
    Operand<TInt32> pad = in.math.sub(in.constant(steps), length);
    String limit = config.backbone().recurrent() ? "the model is unrolled over " + steps + " steps"
        : "the Transformer reads at most " + steps + " positions";
    var check = in.assertThat(in.math.greaterEqual(pad, in.constant(0)), List.of(in.constant(
        limit + ": ids and targets may have at most " + steps + " columns; got"), length));
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
    Dropout<TFloat32> dropout = new Dropout<>(training.dropout(), config.seed(), tr.identity(globalStep));
    LanguageModel.Forward<TFloat32> train = model.forward(tr, idsP, weightsP, stateIn, dropout);
    Operand<TFloat32> rows = model.head().loss(train.hidden(), targetRows);
    Operand<TFloat32> loss = tr.math.div(tr.reduceSum(tr.math.mul(rows, weightRows), tr.constant(0)),
        tr.math.maximum(tr.reduceSum(weightRows, tr.constant(0)), tr.constant(1f)));
    List<Operand<TFloat32>> finalTrain = train.state();
    Optimizer.Step<TFloat32> step = Optimizer.minimize(tr, loss, model.parameters(), learningRate,
        globalStep, training.optimizer(), finalTrain);
    Ops done = tf.withControlDependencies(List.of(step.update()));
    trainLoss = done.withName(Signatures.TRAIN_LOSS).identity(loss);
    gradientNorm = done.withName(Signatures.GRADIENT_NORM).identity(step.gradientNorm());
    for (int i = 0; i < finalTrain.size(); i++) {
      trainState.add(tf.withName(Signatures.trainState(i)).identity(finalTrain.get(i)));
    }

    // inference pass: per-token log-probabilities, support sizes, the next word's top k
    Ops ev = tf.withSubScope("infer");
    LanguageModel.Forward<TFloat32> infer = model.forward(ev, idsP, weightsP, stateIn, null);
    Operand<TFloat32> logp = model.head().logProbabilities(infer.hidden());
    Operand<TInt32> rowIds = ev.range(ev.constant(0), ev.squeeze(ev.shape(targetRows)), ev.constant(1));
    Operand<TFloat32> picked = ev.gatherNd(logp, ev.stack(List.of(rowIds, targetRows), Stack.axis(1L)));
    Operand<TInt32> from = ev.stack(List.of(ev.constant(0), pad));
    Operand<TInt32> all = ev.constant(new int[] {-1, -1});
    logProbs = tf.withName(Signatures.LOG_PROBS).slice(LanguageModel.batchMajor(ev, picked, steps), from, all);
    if (model.head().isSparse()) {
      Operand<TFloat32> count = ev.reduceSum(ev.dtypes.cast(ev.math.isFinite(logp), TFloat32.class), ev.constant(1));
      support = tf.withName(Signatures.SUPPORT).slice(LanguageModel.batchMajor(ev, count, steps), from, all);
    } else {
      support = null;
    }
    List<Operand<TFloat32>> finalEval = infer.state();
    for (int i = 0; i < finalEval.size(); i++) {
      evalState.add(tf.withName(Signatures.evalState(i)).identity(finalEval.get(i)));
    }
    Operand<TFloat32> last = ev.gather(ev.reshape(infer.hidden(), ev.constant(new long[] {steps, -1, config.hidden()})),
        ev.constant(steps - 1), ev.constant(0));
    TopK<TFloat32> top = model.head().topK(last, topK);
    topIds = tf.withName(Signatures.TOP_IDS).identity(top.ids());
    topProbabilities = tf.withName(Signatures.TOP_PROBABILITIES).identity(top.probabilities());
    nextLogProbabilities = tf.withName("next_log_probabilities").identity(model.head().logProbabilities(last));

  }

  public LanguageModel<TFloat32> model() {
    return model;
  }

  /** The state tensors per batch row: 2 L for the LSTM (c and h per layer), 0 for the Transformer. */
  public int stateTensors() {
    return stateIn.size();
  }

  /** The four signatures of the SavedModel (see {@link Signatures}). */
  public List<Signature> signatures() {
    Signature.Builder logProb = Signature.builder(Signatures.LOG_PROB).input(Signatures.IDS, ids)
        .input(Signatures.TARGETS, targets).output(Signatures.LOG_PROBS, logProbs);
    if (support != null) {
      logProb.output(Signatures.SUPPORT, support);
    }
    return List.of(
        Signature.builder(Signatures.SERVING).input(Signatures.IDS, ids).output(Signatures.TOP_IDS, topIds)
            .output(Signatures.TOP_PROBABILITIES, topProbabilities).build(),
        logProb.build(),
        Signature.builder(Signatures.NEXT_WORD).input(Signatures.IDS, ids)
            .output(Signatures.NEXT_LOG_PROBABILITIES, nextLogProbabilities).build(),
        Signature.builder(Signatures.TRAIN_STEP).input(Signatures.IDS, ids).input(Signatures.TARGETS, targets)
            .output(Signatures.LOSS, trainLoss).build());
  }
}
