package org.beyondsoftmax.models.lm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.beyondsoftmax.models.heads.ShardedHead;
import org.beyondsoftmax.models.nn.ClassPartition;
import org.beyondsoftmax.models.nn.Dropout;
import org.beyondsoftmax.models.nn.Lstm;
import org.beyondsoftmax.models.nn.Parameter;
import org.beyondsoftmax.models.nn.Parameters;
import org.beyondsoftmax.models.nn.PartitionedVariable;
import org.beyondsoftmax.models.nn.PartitionedVariable.Part;
import org.beyondsoftmax.ops.ShardedEmbedding;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The graph one worker of a parameter-server cluster builds for a {@link LanguageModel}
 * (between-graph replication: every worker builds it, each for its own index): the model's
 * variables on the parameter servers, its computation on the worker, and the state a worker keeps
 * between steps on the parameter servers too, so that a worker that is killed and started again
 * loses nothing. Builds only; the cluster's trainer runs it.
 *
 * <p>Placement: the input embedding and the head's class embeddings and biases are partitioned by
 * class range over the P parameter servers ({@link ClassPartition}; parts {@code NAME/part_p}); the
 * LSTM, the learning rate and the head's small variables are whole on the first. Every variable
 * carries the name of its twin in {@link LanguageModelGraph} (checked against a
 * {@link LanguageModel} built aside), so values move between the two by name. The embedding is
 * looked up on each shard's device ({@link ShardedEmbedding}) and the head reduces its logits there
 * ({@link ShardedHead}): what crosses per step is the rows [T B, E], the hidden states [T B, H],
 * per-example log-sum-exps, the LSTM's weights and gradients, and PLIF's slope table.
 *
 * <p>Training pass of worker w (of W), for the step s fed to {@link #step()}: B rows of ids,
 * targets and weights [B, T]; the initial LSTM state is zeros when {@link #reset()} is fed true
 * (an epoch's first batch), else worker w's state carried from step s − 1, read from its buffer
 * on a parameter server ({@code carry/w<w>}: two parities, each tagged with the step it is the
 * input of; a missing one fails the run). Dropout ({@link Dropout#locked}) is keyed by s W + w.
 * The loss is the weighted mean of −log p(target); {@link #gradients()} pairs every part of every
 * trained variable with its gradient, summed on the part's device. {@link #carryWrite()} stores
 * the state after the batch as the input of step s + 1, with the batch's loss and weight (for the
 * chief's progress), and only if no earlier incarnation of the worker stored step s + 1 already —
 * the first write wins, as for the gradients.
 *
 * <p>Inference pass (for validation by the chief): the names of {@link Signatures} — {@code ids},
 * {@code targets}, {@code weights} [B, T], {@code state_in_i} — to {@code log_probs} [B, T] and
 * {@code eval_state_i}, as {@link LanguageModelGraph} has them, without dropout.
 */
public final class ShardedLanguageModelGraph {
  /**
   * Where the graph puts things.
   *
   * @param ps the parameter servers' devices, in task order
   * @param worker this worker's device
   * @param workerIndex w
   * @param workers W
   */
  public record Placement(List<DeviceSpec> ps, DeviceSpec worker, int workerIndex, int workers) {
    public Placement {
      ps = List.copyOf(ps);
      if (ps.isEmpty()) {
        throw new IllegalArgumentException("ps must name at least one device, got none");
      }
      if (workers < 1 || workerIndex < 0 || workerIndex >= workers) {
        throw new IllegalArgumentException("workerIndex must be in [0, " + workers + "), got " + workerIndex);
      }
    }

    /** The parameter server that holds worker {@code w}'s carried state. */
    DeviceSpec carrier(int w) {
      return ps.get(w % ps.size());
    }
  }

  /** A part of a trained variable, this worker's gradient of the loss in it, and its learning-rate multiplier. */
  public record Gradient(Part part, Operand<TFloat32> gradient, double learningRateMultiplier) {}

  private final LanguageModel.Config config;
  private final Placement placement;
  private final int steps;
  private final int batch;
  private final int stateTensors;
  private final ClassPartition partition;
  private final PartitionedVariable learningRate;
  private final List<PartitionedVariable> variables = new ArrayList<>();
  private final List<Operand<TFloat32>> embedding = new ArrayList<>();
  private final Lstm<TFloat32> lstm;
  private final ShardedHead head;
  private final Placeholder<TInt32> ids;
  private final Placeholder<TInt32> targets;
  private final Placeholder<TFloat32> weights;
  private final Placeholder<TInt64> step;
  private final Placeholder<TBool> reset;
  private final Operand<TFloat32> loss;
  private final List<Gradient> gradients = new ArrayList<>();
  private final List<Variable<TFloat32>> carry = new ArrayList<>();
  private final List<Variable<TInt64>> carryTags = new ArrayList<>();
  private final List<Variable<TFloat32>> progress = new ArrayList<>();
  private final Op carryWrite;
  private final Operand<TFloat32> progressValues;
  private final Placeholder<TFloat32> carryIn;
  private final Op setCarry;
  private final Operand<TFloat32> carryOut;
  private final Placeholder<TFloat32> newLearningRate;
  private final Op setLearningRate;

  /**
   * Builds the graph of worker {@code placement.workerIndex()} into {@code graph}.
   *
   * @param training the dropout rate (the optimizer is the cluster's; the learning rate a variable)
   * @param steps T, the unrolled length
   * @param batch B, the rows of this worker's training batch
   * @throws IllegalArgumentException naming the head when it cannot be sharded, or the backbone when
   *     it is not the LSTM
   */
  public ShardedLanguageModelGraph(Graph graph, LanguageModel.Config config, LanguageModelGraph.Training training,
      int steps, int batch, Placement placement) {
    if (steps < 1 || batch < 1) {
      throw new IllegalArgumentException("steps and batch must be >= 1, got " + steps + ", " + batch);
    }
    if (!(config.backbone() instanceof Backbone.Lstm)) {
      throw new IllegalArgumentException("the sharded language model has an LSTM backbone only, got " + config.backbone());
    }
    ShardedHead.check(config.head());
    this.config = config;
    this.placement = placement;
    this.steps = steps;
    this.batch = batch;
    this.stateTensors = 2 * config.layers();
    this.partition = new ClassPartition(config.vocabulary(), placement.ps());
    Ops tf = Ops.create(graph);
    DeviceSpec ps0 = placement.ps().get(0);
    learningRate = PartitionedVariable.whole(tf, ps0, Signatures.LEARNING_RATE, Shape.scalar(), 1.0);
    Parameters<TFloat32> lm = new Parameters<>(tf.withDevice(ps0), TFloat32.class, config.seed(), "lm");
    PartitionedVariable table = PartitionedVariable.byRows(lm.ops(), "embedding",
        Shape.of(config.vocabulary(), config.embed()), 1.0, partition);
    variables.add(table);
    lstm = new Lstm<>(lm, config.embed(), config.hidden(), config.layers());
    for (Parameter<TFloat32> p : lm.all()) {
      variables.add(PartitionedVariable.of(p, ps0));
    }
    for (Part p : table.parts()) {
      embedding.add(p.read(tf));
    }
    head = new ShardedHead(tf, config.head(), config.hidden(), partition, ps0,
        config.embed() == config.hidden() ? Optional.of(table) : Optional.empty());
    variables.addAll(head.variables());
    checkTwin();

    Ops w = tf.withDevice(placement.worker());
    Ops tr = w.withSubScope("train");
    ids = tr.withName("ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(batch, steps)));
    targets = tr.withName("targets").placeholder(TInt32.class, Placeholder.shape(Shape.of(batch, steps)));
    weights = tr.withName("weights").placeholder(TFloat32.class, Placeholder.shape(Shape.of(batch, steps)));
    step = tr.withName("step").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
    reset = tr.withName("reset").placeholder(TBool.class, Placeholder.shape(Shape.scalar()));
    Ops carrying = tf.withSubScope("carry");
    Ops init = carrying.withInitScope();
    for (int v = 0; v < placement.workers(); v++) {
      Ops on = carrying.withDevice(placement.carrier(v));
      carry.add(on.withName("w" + v).variable(init.zeros(init.constant(new long[] {2, stateTensors, batch,
          config.hidden()}), TFloat32.class)));
      carryTags.add(on.withName("w" + v + "_tags").variable(init.constant(new long[] {-1, -1})));
      progress.add(on.withName("w" + v + "_progress").variable(init.zeros(init.constant(new long[] {2}), TFloat32.class)));
    }
    int self = placement.workerIndex();
    Operand<TInt64> key = tr.math.add(tr.math.mul(step, tr.constant((long) placement.workers())),
        tr.constant((long) self));
    Dropout<TFloat32> dropout = new Dropout<>(training.dropout(), config.seed(), key);
    LanguageModel.Forward<TFloat32> train = forward(tr, ids, weights, Lstm.State.ofFlat(carried(tr, self)), dropout);
    Operand<TFloat32> weightRows = LanguageModel.timeMajor(tr, weights);
    Operand<TFloat32> nll = tr.math.neg(head.logProbability(tr, train.hidden(), LanguageModel.timeMajor(tr, targets)));
    Operand<TFloat32> tokens = tr.reduceSum(weightRows, tr.constant(0));
    loss = tr.withName("loss").math.div(tr.reduceSum(tr.math.mul(nll, weightRows), tr.constant(0)),
        tr.math.maximum(tokens, tr.constant(1f)));
    carryWrite = writeCarry(tf, self, tr.stack(train.state()), tr.stack(List.of(loss, tokens)));
    takeGradients(tf);
    progressValues = w.withName("progress").stack(progress.stream().map(p -> (Operand<TFloat32>) w.identity(p)).toList());

    inferencePass(w);
    carryIn = w.withName("carry_in").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(placement.workers(), stateTensors, batch, config.hidden())));
    setCarry = setCarry(tf);
    carryOut = carryOut(tf);
    newLearningRate = w.withName("new_learning_rate").placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
    Variable<TFloat32> lr = learningRate.parts().get(0).variable();
    setLearningRate = tf.withDevice(ps0).withName("set_learning_rate").assign(lr, newLearningRate);
  }

  /** The checks that the variables are those of the one-process model, name by name. */
  private void checkTwin() {
    Map<String, PartitionedVariable> ours = new HashMap<>();
    variables.forEach(v -> ours.put(v.name(), v));
    try (Graph scratch = new Graph()) {
      List<Parameter<TFloat32>> twin = new LanguageModel<>(Ops.create(scratch), TFloat32.class, config).parameters();
      List<String> problems = new ArrayList<>();
      for (Parameter<TFloat32> p : twin) {
        PartitionedVariable v = ours.remove(p.variable().op().name());
        if (v == null) {
          problems.add(p.variable().op().name() + " is missing");
        } else if (!v.shape().equals(p.variable().shape()) || v.learningRateMultiplier() != p.learningRateMultiplier()) {
          problems.add(v.name() + " is " + v.shape() + " x" + v.learningRateMultiplier() + ", not "
              + p.variable().shape() + " x" + p.learningRateMultiplier());
        }
      }
      ours.keySet().forEach(n -> problems.add(n + " has no twin"));
      if (!problems.isEmpty()) {
        throw new IllegalStateException("head '" + config.head() + "': the sharded model's variables differ from the"
            + " one-process model's: " + problems);
      }
    }
  }

  /**
   * The model over ids [B, T]: the embedding looked up on each shard's device and summed, the
   * LSTM (masked by the weights), dropout as {@link LanguageModel#forward} applies it.
   */
  private LanguageModel.Forward<TFloat32> forward(Ops s, Operand<TInt32> ids, Operand<TFloat32> weights,
      Lstm.State<TFloat32> initial, Dropout<TFloat32> dropout) {
    Operand<TInt32> flat = LanguageModel.timeMajor(s, ids);
    List<Operand<TFloat32>> rows = new ArrayList<>();
    for (int p = 0; p < partition.shards(); p++) {
      rows.add(ShardedEmbedding.lookupShard(s.withDevice(partition.device(p)), embedding.get(p), flat, partition.offset(p)));
    }
    Operand<TFloat32> x = s.reshape(s.math.addN(rows), s.constant(new long[] {steps, -1, config.embed()}));
    Operand<TFloat32> mask = s.expandDims(s.linalg.transpose(weights, s.constant(new int[] {1, 0})), s.constant(-1));
    Lstm.Output<TFloat32> out = lstm.apply(s, dropout == null ? x : dropout.locked(s, x, 0), mask, initial,
        dropout == null ? null : (in, layer) -> dropout.locked(s, in, layer));
    Operand<TFloat32> top = dropout == null ? out.outputs() : dropout.locked(s, out.outputs(), config.layers());
    return new LanguageModel.Forward<>(s.reshape(top, s.constant(new long[] {-1, config.hidden()})), out.state().flat(), List.of());
  }

  /** Worker w's initial state of the fed step: zeros on reset, else its carried state (which must be of this step). */
  private List<Operand<TFloat32>> carried(Ops tr, int w) {
    Ops on = tr.withDevice(placement.carrier(w));
    Operand<TInt32> parity = parity(on, step);
    Operand<TFloat32> held = on.gather(on.identity(carry.get(w)), parity, on.constant(0));
    Operand<TInt64> tag = on.gather(on.identity(carryTags.get(w)), parity, on.constant(0));
    var check = on.assertThat(on.math.logicalOr(reset, on.math.equal(tag, step)), List.of(on.constant(
        "the LSTM state worker " + w + " carries into step"), step, on.constant("is missing; its buffer holds the state of step"),
        tag));
    Operand<TFloat32> state = tr.withControlDependencies(List.of(check)).select(reset, tr.zerosLike(held), held);
    List<Operand<TFloat32>> flat = new ArrayList<>();
    tr.unstack(state, (long) stateTensors).output().forEach(flat::add);
    return flat;
  }

  /** Stores worker w's state after the fed step s as the input of s + 1, unless stored already. */
  private Op writeCarry(Ops tf, int w, Operand<TFloat32> state, Operand<TFloat32> lossAndTokens) {
    Ops on = tf.withSubScope("carry_write").withDevice(placement.carrier(w));
    Operand<TInt64> next = on.math.add(step, on.constant(1L));
    Operand<TInt64> tags = on.identity(carryTags.get(w));
    Operand<TInt32> parity = parity(on, next);
    Operand<TBool> fresh = on.math.less(on.gather(tags, parity, on.constant(0)), next);
    Operand<TBool> slot = on.math.logicalAnd(on.math.equal(on.range(on.constant(0), on.constant(2), on.constant(1)), parity),
        on.fill(on.constant(new int[] {2}), fresh));
    Op buffer = on.assign(carry.get(w), on.select(on.reshape(slot, on.constant(new int[] {2, 1, 1, 1})),
        on.expandDims(state, on.constant(0)), on.identity(carry.get(w))));
    Op seen = on.assign(progress.get(w), on.select(fresh, lossAndTokens, on.identity(progress.get(w))));
    return on.withControlDependencies(List.of(buffer, seen))
        .assign(carryTags.get(w), on.select(slot, on.fill(on.constant(new int[] {2}), next), tags));
  }

  /** The gradient of the loss in every part, summed over the part's reads on the part's device. */
  private void takeGradients(Ops tf) {
    List<Operand<?>> xs = new ArrayList<>();
    for (PartitionedVariable v : variables) {
      for (Part p : v.parts()) {
        xs.addAll(p.reads().isEmpty() ? List.of(p.variable()) : p.reads());
      }
    }
    var dy = tf.gradients(loss, xs);
    int i = 0;
    for (PartitionedVariable v : variables) {
      for (Part p : v.parts()) {
        int n = Math.max(1, p.reads().size());
        List<Operand<TFloat32>> parts = new ArrayList<>();
        for (int k = 0; k < n; k++) {
          Output<?> g = dy.dy(i++);
          if (g != null && g.op() != null) {
            parts.add((Operand<TFloat32>) (Operand<?>) g);
          }
        }
        if (parts.isEmpty()) {
          throw new IllegalStateException("the loss has no gradient in " + p.variable().op().name());
        }
        Operand<TFloat32> sum = parts.size() == 1 ? parts.get(0)
            : tf.withDevice(p.device()).withName(p.variable().op().name().replace('/', '_') + "_gradient")
                .math.addN(parts);
        gradients.add(new Gradient(p, sum, v.learningRateMultiplier()));
      }
    }
  }

  /** The inference pass under the names of {@link Signatures}. */
  private void inferencePass(Ops w) {
    Placeholder<TInt32> in = w.withName(Signatures.IDS).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, steps)));
    Placeholder<TInt32> out = w.withName(Signatures.TARGETS).placeholder(TInt32.class,
        Placeholder.shape(Shape.of(-1, steps)));
    Operand<TInt32> shape = w.shape(in);
    Operand<TFloat32> mask = w.withName(Signatures.WEIGHTS).placeholderWithDefault(w.fill(shape, w.constant(1f)),
        Shape.of(-1, steps));
    Operand<TInt32> rows = w.squeeze(w.slice(shape, w.constant(new int[] {0}), w.constant(new int[] {1})));
    List<Operand<TFloat32>> initial = new ArrayList<>();
    List<Operand<TFloat32>> zeros = lstm.zeroState(w, rows).flat();
    for (int i = 0; i < zeros.size(); i++) {
      initial.add(w.withName(Signatures.stateIn(i)).placeholderWithDefault(zeros.get(i), Shape.of(-1, config.hidden())));
    }
    Ops ev = w.withSubScope("infer");
    LanguageModel.Forward<TFloat32> f = forward(ev, in, mask, Lstm.State.ofFlat(initial), null);
    Operand<TFloat32> logp = head.logProbability(ev, f.hidden(), LanguageModel.timeMajor(ev, out));
    w.withName(Signatures.LOG_PROBS).identity(LanguageModel.batchMajor(ev, logp, steps));
    List<Operand<TFloat32>> state = f.state();
    for (int i = 0; i < state.size(); i++) {
      w.withName(Signatures.evalState(i)).identity(state.get(i));
    }
  }

  /** Sets every worker's carried state for the fed step s from {@link #carryIn()} [W, 2L, B, H]. */
  private Op setCarry(Ops tf) {
    Ops s = tf.withSubScope("set_carry");
    List<Op> sets = new ArrayList<>();
    for (int v = 0; v < placement.workers(); v++) {
      Ops on = s.withDevice(placement.carrier(v));
      Operand<TBool> slot = on.math.equal(on.range(on.constant(0), on.constant(2), on.constant(1)), parity(on, step));
      Operand<TFloat32> value = on.expandDims(on.gather(carryIn, on.constant(v), on.constant(0)), on.constant(0));
      sets.add(on.assign(carry.get(v), on.select(on.reshape(slot, on.constant(new int[] {2, 1, 1, 1})), value,
          on.zerosLike(value))));
      sets.add(on.assign(carryTags.get(v), on.select(slot, on.fill(on.constant(new int[] {2}), step),
          on.fill(on.constant(new int[] {2}), on.constant(-1L)))));
    }
    return s.withControlDependencies(sets).noOp();
  }

  /** Every worker's carried state into the fed step s, [W, 2L, B, H]; fails unless each is of step s. */
  private Operand<TFloat32> carryOut(Ops tf) {
    Ops s = tf.withSubScope("carry_out");
    List<Operand<TFloat32>> all = new ArrayList<>();
    for (int v = 0; v < placement.workers(); v++) {
      Ops on = s.withDevice(placement.carrier(v));
      Operand<TInt32> parity = parity(on, step);
      Operand<TInt64> tag = on.gather(on.identity(carryTags.get(v)), parity, on.constant(0));
      var check = on.assertThat(on.math.equal(tag, step), List.of(on.constant("the LSTM state worker " + v
          + " carries into step"), step, on.constant("is missing; its buffer holds the state of step"), tag));
      all.add(on.withControlDependencies(List.of(check)).gather(on.identity(carry.get(v)), parity, on.constant(0)));
    }
    return s.stack(all);
  }

  private static Operand<TInt32> parity(Ops tf, Operand<TInt64> step) {
    return tf.dtypes.cast(tf.math.floorMod(step, tf.constant(2L)), TInt32.class);
  }

  /** Every trained variable (not the learning rate), as the one-process model names it. */
  public List<PartitionedVariable> variables() {
    return List.copyOf(variables);
  }

  /** The learning rate, a scalar on the first parameter server ({@value Signatures#LEARNING_RATE}). */
  public PartitionedVariable learningRate() {
    return learningRate;
  }

  /** Every part of every trained variable with this worker's gradient in it (same order as the parts). */
  public List<Gradient> gradients() {
    return List.copyOf(gradients);
  }

  /** The training batch [B, T]: ids, targets, weights. */
  public Placeholder<TInt32> ids() {
    return ids;
  }

  public Placeholder<TInt32> targets() {
    return targets;
  }

  public Placeholder<TFloat32> weights() {
    return weights;
  }

  /** The step the training pass is for (int64 scalar). */
  public Placeholder<TInt64> step() {
    return step;
  }

  /** True for an epoch's first batch: the LSTM starts from zeros (bool scalar). */
  public Placeholder<TBool> reset() {
    return reset;
  }

  /** The weighted mean loss of this worker's batch. */
  public Operand<TFloat32> loss() {
    return loss;
  }

  /** Stores this worker's state after the batch (run with the gradients' write). */
  public Op carryWrite() {
    return carryWrite;
  }

  /** [W, 2]: the mean loss and the weight of each worker's last stored batch. */
  public Operand<TFloat32> progress() {
    return progressValues;
  }

  /** [W, 2L, B, H], fed with {@link #step()} s to {@link #setCarry()}. */
  public Placeholder<TFloat32> carryIn() {
    return carryIn;
  }

  /** Sets the state every worker carries into step s (resuming a checkpoint taken mid-epoch). */
  public Op setCarry() {
    return setCarry;
  }

  /** [W, 2L, B, H]: the state every worker carries into step s (for a checkpoint); fails if one is missing. */
  public Operand<TFloat32> carryOut() {
    return carryOut;
  }

  public Placeholder<TFloat32> newLearningRate() {
    return newLearningRate;
  }

  public Op setLearningRate() {
    return setLearningRate;
  }

  /** The state tensors per batch row: 2 L. */
  public int stateTensors() {
    return stateTensors;
  }
}
