package org.beyondsoftmax.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.beyondsoftmax.ops.Shapes;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssertThat;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.io.FifoQueue;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The graph of synchronous data-parallel training across the workers of a cluster, on
 * TensorFlow's own ops (between-graph replication: every worker builds the same graph, with the
 * trained variables on ps tasks; {@link SyncWorker} runs the steps).
 *
 * <p>State on the parameter servers, beside each trained variable v (on v's task):
 * <ul>
 *   <li>{@code slot[v][w]} for each worker w: w's gradient of v for the step it last wrote;
 *   <li>{@code tag[p][w]} for each ps task p and worker w: the step of w's slots on p (−1: none);
 *   <li>{@code applied[p]}: how many steps have been applied to p's variables;
 *   <li>on ps task 0, the global step (steps applied everywhere), a FIFO queue {@code ready} of the
 *       workers' "written" tokens and one queue {@code go[w]} per worker but the chief.
 * </ul>
 * A step s:
 * <ol>
 *   <li>Each worker w (the chief, worker 0, too) reads the global step s, computes its gradients of
 *       its batch for (w, s), and in one run sets {@code slot[v][w] := g} and then
 *       {@code tag[p][w] := s} on every ps task p where {@code tag[p][w] < s} — the first write of
 *       (w, s) on p wins; a later one (a restarted worker's) or a stale one is dropped — then puts
 *       a token in {@code ready}. What else a worker keeps on the ps tasks between steps (its
 *       model's carried state) is written in the same run before the tags
 *       ({@link Settings#writtenWith()}), so that the chief never applies a step whose state is not
 *       stored.
 *   <li>The chief waits until {@code tag[p][w] = s} for every p and w (taking tokens from
 *       {@code ready} in between, the tags deciding), then in one run, on every ps task p where
 *       {@code applied[p] ≤ s}: each v (and the update rule's state) gets the rule's new value for
 *       the mean (Σ_w slot[v][w]) / W, summed in worker order — scaled by c / max(n, c) when
 *       clipping at a global norm c, n the norm of all the means, summed per ps task and then over
 *       the tasks in order (Pascanu et al. 2013) — staged in a copy first and then committed, so
 *       that an apply cut anywhere can be run again; {@code applied[p] := s + 1}; then the global
 *       step := s + 1;
 *       then a token s + 1 in every other worker's {@code go} queue.
 *   <li>The other workers wait for a {@code go} token above s (or a global step above s).
 * </ol>
 *
 * <p>Why slots and not TF1's {@code SyncReplicasOptimizer} ({@code ConditionalAccumulator}s): an
 * accumulator counts gradients, not workers, so a worker killed after its gradient reached the
 * accumulators and restarted adds it a second time (a doubled update, and another worker's
 * gradient dropped as stale), and a chief killed between taking the accumulators of two ps tasks
 * loses the gradients it took. Here a write is keyed by (worker, step) and happens once per ps
 * task: a restarted worker that writes its step again changes nothing where its first write
 * landed (dropping the rewrite matters: after a partial apply the variables have moved, and a
 * recomputed gradient would differ), and completes a write that a crash cut short, with the same
 * gradient since no apply of the step can have started; the tags tell the chief whose gradients
 * are in. An apply is guarded per ps task by {@code applied}, so a chief restarted in the middle
 * of one applies only where it had not, and within a ps task it stages the new values before it
 * assigns any, so that one cut between two assigns is finished with the values it started with.
 * The sum in worker order makes the result bitwise independent of which worker wrote first, for
 * any number of workers (an accumulator sums in arrival order). The price: W copies of each
 * gradient on the ps tasks instead of one sum, and a staged copy of every variable and of the
 * update rule's state.
 */
public final class SyncReplicas {
  /** A trained variable (placed on a ps task) and this worker's gradient of the loss in it. */
  public record Gradient(Variable<TFloat32> variable, Operand<TFloat32> gradient) {}

  /**
   * @param clipNorm c, the largest global norm of the averaged gradient (0 or less: no clipping)
   * @param writtenWith ops that each worker's write runs before its tags (state it keeps on the ps
   *     tasks between steps, written first-wins per step as its slots are)
   */
  public record Settings(double clipNorm, List<Op> writtenWith) {
    public Settings {
      if (Double.isNaN(clipNorm) || Double.isInfinite(clipNorm)) {
        throw new IllegalArgumentException("clipNorm must be finite, got " + clipNorm);
      }
      writtenWith = List.copyOf(writtenWith);
    }

    /** No clipping, nothing written but the gradients. */
    public static Settings defaults() {
      return new Settings(0, List.of());
    }
  }

  final ClusterSpec cluster;
  final Task worker;
  final int workers;
  /** The step being written or applied, fed by {@link SyncWorker}. */
  final Placeholder<TInt64> step;
  final Operand<TInt64> globalStep;
  final Operand<TBool> initialized;
  /** Sets the global step to the fed step (the chief, once the variables hold their values). */
  final Op initializeGlobalStep;
  /** The step training ends at (no end: Long.MAX_VALUE). */
  final Operand<TInt64> end;
  /** The chief's end of training at the fed step: end := step, then a token in every go queue. */
  final Op finish;
  /** This worker's write: slots, then tags, then a ready token. */
  final Op write;
  /** [W]: whether worker w's slots on every ps task are of the fed step. */
  final Operand<TBool> written;
  final Operand<TInt64> takeReady;
  /** This worker's go token (absent for the chief). */
  final Operand<TInt64> takeGo;
  /** The chief's apply: all ps tasks, the global step, the go tokens. */
  final Op apply;
  /** The apply of one ps task alone (what a chief killed in the middle of an apply may leave). */
  final Map<Task, Op> applyOn;
  /**
   * The apply of one ps task without its last assign ({@code applied := step + 1}): what a chief
   * killed after it had changed the variables there leaves.
   */
  final Map<Task, Op> commitOn;
  /** Whether a ps task's own bookkeeping variable is initialized (false after a ps restart). */
  final Map<Task, Operand<TBool>> psInitialized;

  private SyncReplicas(Builder b) {
    this.cluster = b.cluster;
    this.worker = b.worker;
    this.workers = b.workers;
    this.step = b.step;
    this.globalStep = b.globalStepValue;
    this.initialized = b.initialized;
    this.initializeGlobalStep = b.initializeGlobalStep;
    this.end = b.endValue;
    this.finish = b.finish;
    this.write = b.write;
    this.written = b.written;
    this.takeReady = b.takeReady;
    this.takeGo = b.takeGo;
    this.apply = b.apply;
    this.applyOn = b.applyOn;
    this.commitOn = b.commitOn;
    this.psInitialized = b.psInitialized;
  }

  /**
   * Builds the synchronization of {@code gradients} in {@code tf}'s graph, under the sub-scope
   * {@code sync} of {@code tf} (every worker must build the same graph: the shared state is found
   * by name).
   *
   * @param cluster the cluster, for its number of workers and to check the tasks
   * @param worker this worker's task index; worker 0 is the chief
   * @param gradients each trained variable, on a ps task of the cluster, with this worker's
   *     gradient of it (same shape)
   * @param rule how the chief applies an averaged gradient
   * @throws IllegalArgumentException naming a variable off the ps tasks or without a gradient
   */
  public static SyncReplicas build(
      Ops tf, ClusterSpec cluster, int worker, List<Gradient> gradients, UpdateRule rule) {
    return build(tf, cluster, worker, gradients, rule, Settings.defaults());
  }

  /** {@link #build(Ops, ClusterSpec, int, List, UpdateRule)} with clipping and state written with the gradients. */
  public static SyncReplicas build(
      Ops tf, ClusterSpec cluster, int worker, List<Gradient> gradients, UpdateRule rule, Settings settings) {
    Task self = cluster.task(ClusterSpec.WORKER, worker);
    if (gradients.isEmpty()) {
      throw new IllegalArgumentException("gradients must name at least one variable, got none");
    }
    Map<Task, List<Gradient>> byTask = new LinkedHashMap<>();
    for (Gradient g : gradients) {
      String name = g.variable().op().name();
      String device = ((GraphOperation) g.variable().op()).device();
      Task task = Task.ofDevice(device);
      if (task == null || !task.job().equals(ClusterSpec.PS)) {
        throw new IllegalArgumentException("variable " + name + " must be on a ps task (tf.withDevice(Task.ps(i).device())),"
            + " got device '" + device + "'");
      }
      cluster.task(ClusterSpec.PS, task.index());
      if (g.gradient() == null) {
        throw new IllegalArgumentException("variable " + name + " has no gradient (the loss does not depend on it)");
      }
      if (g.variable().shape().isUnknown() || g.variable().shape().hasUnknownDimension()) {
        throw new IllegalArgumentException("variable " + name + " must have a fully defined shape, got " + g.variable().shape());
      }
      byTask.computeIfAbsent(task, t -> new ArrayList<>()).add(g);
    }
    return new Builder(tf.withSubScope("sync"), cluster, self, rule, settings).build(byTask);
  }

  /** Builds the graph once; its fields are the parts the {@link SyncReplicas} keeps. */
  private static final class Builder {
    final Ops s;
    final Ops ps0;
    final ClusterSpec cluster;
    final Task worker;
    final int workers;
    final UpdateRule rule;
    final Settings settings;
    Placeholder<TInt64> step;
    Variable<TInt64> globalStepVariable;
    Operand<TInt64> globalStepValue;
    Operand<TBool> initialized;
    Op initializeGlobalStep;
    Operand<TInt64> endValue;
    Op finish;
    Op write;
    Operand<TBool> written;
    Operand<TInt64> takeReady;
    Operand<TInt64> takeGo;
    Op apply;
    final Map<Task, Op> applyOn = new LinkedHashMap<>();
    final Map<Task, Op> commitOn = new LinkedHashMap<>();
    final Map<Task, Operand<TBool>> psInitialized = new LinkedHashMap<>();

    Builder(Ops s, ClusterSpec cluster, Task worker, UpdateRule rule, Settings settings) {
      this.s = s;
      this.ps0 = s.withDevice(Task.ps(0).device());
      this.cluster = cluster;
      this.worker = worker;
      this.workers = cluster.size(ClusterSpec.WORKER);
      this.rule = rule;
      this.settings = settings;
    }

    SyncReplicas build(Map<Task, List<Gradient>> byTask) {
      step = s.withName("step").placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
      // no initializer: the chief sets it after every other variable is initialized, so that an
      // initialized global step means an initialized cluster
      globalStepVariable = ps0.withName("global_step").variable(Shape.scalar(), TInt64.class);
      globalStepValue = ps0.identity(globalStepVariable);
      initialized = ps0.isVariableInitialized(globalStepVariable);
      initializeGlobalStep = ps0.assign(globalStepVariable, step);
      Variable<TInt64> endVariable = ps0.withName("end").variable(ps0.withInitScope().constant(Long.MAX_VALUE));
      endValue = ps0.identity(endVariable);
      String shared = globalStepVariable.op().name();
      FifoQueue ready = queue(shared + "/ready");
      takeReady = (Operand<TInt64>) ps0.io.queueDequeue(ready, List.of(TInt64.class)).components().get(0);
      List<FifoQueue> go = new ArrayList<>();
      for (int w = 1; w < workers; w++) {
        go.add(queue(shared + "/go_" + w));
      }
      takeGo = worker.index() == 0 ? null
          : (Operand<TInt64>) ps0.io.queueDequeue(go.get(worker.index() - 1), List.of(TInt64.class)).components().get(0);

      List<Op> tagWrites = new ArrayList<>();
      List<Op> applied = new ArrayList<>();
      List<List<Operand<TBool>>> writtenOn = new ArrayList<>(); // [task][worker]
      Operand<TInt64> next = s.math.add(step, s.constant(1L));
      List<PsTask> tasks = new ArrayList<>();
      for (var e : byTask.entrySet()) {
        PsTask p = new PsTask(e.getKey(), e.getValue());
        tagWrites.add(p.write());
        writtenOn.add(p.written());
        tasks.add(p);
      }
      Operand<TFloat32> scale = clipScale(tasks);
      for (PsTask p : tasks) {
        Op a = p.apply(next, scale);
        applyOn.put(p.task, a);
        commitOn.put(p.task, p.committed);
        applied.add(a);
      }
      write = ps0.withControlDependencies(tagWrites).io.queueEnqueue(ready, List.of(step));
      List<Operand<TBool>> perWorker = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        List<Operand<TBool>> all = new ArrayList<>();
        for (List<Operand<TBool>> onTask : writtenOn) {
          all.add(onTask.get(w));
        }
        perWorker.add(ps0.reduceAll(ps0.stack(all), ps0.constant(0)));
      }
      written = ps0.stack(perWorker);
      // tokens left in ready (the chief found the tags complete before taking them) go now, before
      // any worker can write the next step
      Op drain = ps0.withControlDependencies(applied)
          .io.queueDequeueMany(ready, ps0.io.queueSize(ready), List.of(TInt64.class));
      Op stepUp = ps0.withControlDependencies(List.of(drain)).assign(globalStepVariable, next);
      List<Op> tokens = new ArrayList<>();
      for (FifoQueue q : go) {
        tokens.add(ps0.withControlDependencies(List.of(stepUp)).io.queueEnqueue(q, List.of(next)));
      }
      tokens.add(stepUp);
      apply = s.withName("apply").withControlDependencies(tokens).noOp();
      Op endAt = ps0.assign(endVariable, step);
      List<Op> wake = new ArrayList<>(List.of(endAt));
      for (FifoQueue q : go) {
        wake.add(ps0.withControlDependencies(List.of(endAt)).io.queueEnqueue(q, List.of(step)));
      }
      finish = s.withName("finish").withControlDependencies(wake).noOp();
      return new SyncReplicas(this);
    }

    /**
     * c / max(n, c) for the global norm n of every averaged gradient (each ps task sums its own
     * squares, ps task 0 the tasks' sums in order), or null without clipping.
     */
    private Operand<TFloat32> clipScale(List<PsTask> tasks) {
      if (settings.clipNorm() <= 0) {
        return null;
      }
      List<Operand<TFloat32>> partial = new ArrayList<>();
      for (PsTask p : tasks) {
        partial.add(p.squares());
      }
      Operand<TFloat32> c = ps0.constant((float) settings.clipNorm());
      Operand<TFloat32> norm = ps0.math.sqrt(ps0.math.addN(partial));
      return ps0.withName("clip_scale").math.div(c, ps0.math.maximum(norm, c));
    }

    private FifoQueue queue(String sharedName) {
      return ps0.io.fifoQueue(List.of(TInt64.class), FifoQueue.shapes(List.of(Shape.scalar())),
          FifoQueue.sharedName(sharedName));
    }

    /** The slots, tags and apply of the variables of one ps task. */
    private final class PsTask {
      final Task task;
      final Ops on;
      final List<Gradient> gradients;
      final List<Variable<TInt64>> tags = new ArrayList<>(); // [worker]
      final List<List<Variable<TFloat32>>> slots = new ArrayList<>(); // [variable][worker]
      final Variable<TInt64> appliedSteps;
      /** The step whose new values the staged copies hold (−1: none). */
      final Variable<TInt64> stagedStep;
      /** The apply's stage and commit, without {@code applied := step + 1} (set by {@link #apply}). */
      Op committed;
      private List<Operand<TBool>> written;
      private List<Operand<TFloat32>> means;
      private Ops guarded;

      PsTask(Task task, List<Gradient> gradients) {
        this.task = task;
        this.on = s.withDevice(task.device()).withSubScope("ps_" + task.index());
        this.gradients = gradients;
        Ops init = on.withInitScope();
        for (int w = 0; w < workers; w++) {
          tags.add(on.withName("tag_w" + w).variable(init.constant(-1L)));
        }
        appliedSteps = on.withName("applied").variable(init.constant(0L));
        stagedStep = on.withName("staged_step").variable(init.constant(-1L));
        psInitialized.put(task, on.isVariableInitialized(appliedSteps));
        for (Gradient g : gradients) {
          List<Variable<TFloat32>> forWorkers = new ArrayList<>();
          String base = g.variable().op().name().replace('/', '.');
          for (int w = 0; w < workers; w++) {
            forWorkers.add(on.withName("slot_w" + w + "_" + base)
                .variable(init.zeros(init.constant(g.variable().shape().asArray()), TFloat32.class)));
          }
          slots.add(forWorkers);
        }
      }

      /** This worker's slots := its gradients, then its tag := step; both only if tag < step. */
      Op write() {
        Variable<TInt64> tag = tags.get(worker.index());
        Operand<TInt64> tagValue = on.identity(tag);
        Operand<TBool> fresh = on.math.greater(step, tagValue);
        List<Op> slotWrites = new ArrayList<>();
        for (int i = 0; i < gradients.size(); i++) {
          Variable<TFloat32> slot = slots.get(i).get(worker.index());
          slotWrites.add(on.assign(slot, on.select(fresh, gradients.get(i).gradient(), on.identity(slot))));
        }
        slotWrites.addAll(settings.writtenWith());
        return on.withControlDependencies(slotWrites).assign(tag, on.select(fresh, step, tagValue));
      }

      /** [W]: tag[w] == step. */
      List<Operand<TBool>> written() {
        if (written == null) {
          written = new ArrayList<>();
          for (Variable<TInt64> tag : tags) {
            written.add(on.math.equal(on.identity(tag), step));
          }
        }
        return written;
      }

      /** The mean over the workers of each variable's slots, once every slot is of the fed step. */
      List<Operand<TFloat32>> means() {
        if (means == null) {
          AssertThat complete = on.assertThat(
              on.reduceAll(on.stack(written()), on.constant(0)),
              List.of(on.constant("sync: a gradient slot on " + task + " is not of the step being applied; step, tags:"),
                  step, on.stack(tags.stream().map(t -> (Operand<TInt64>) on.identity(t)).toList())));
          guarded = on.withControlDependencies(List.of(complete));
          means = new ArrayList<>();
          for (int i = 0; i < gradients.size(); i++) {
            List<Operand<TFloat32>> parts = new ArrayList<>();
            for (Variable<TFloat32> slot : slots.get(i)) {
              parts.add(guarded.identity(slot));
            }
            means.add(guarded.math.div(guarded.math.addN(parts), guarded.constant((float) workers)));
          }
        }
        return means;
      }

      /** The sum of the squares of every mean on this task. */
      Operand<TFloat32> squares() {
        List<Operand<TFloat32>> sums = new ArrayList<>();
        for (Operand<TFloat32> m : means()) {
          sums.add(on.reduceSum(on.math.square(m), on.range(on.constant(0), on.rank(m), on.constant(1))));
        }
        return on.math.addN(sums);
      }

      /**
       * Where applied <= step, in two phases, so that a run cut anywhere (a chief killed in the
       * middle of an apply) and run again gives what one uncut run gives:
       * <ol>
       *   <li>stage: unless {@code staged_step = step}, every target t of the update rule (the
       *       variable and the rule's state) gets {@code staged[t] := rule(...)}, from the mean of
       *       the slots (times {@code scale} when not null); then {@code staged_step := step};
       *   <li>commit: {@code t := staged[t]} for every target; then {@code applied := step + 1}.
       * </ol>
       * A stage cut short is computed again from the same, untouched values; once staged, a commit
       * cut short is repeated with the same staged values. (Assigning the rule's values to the
       * targets at once, a cut apply left some targets updated and the second run updated them
       * again from there: a doubled step.) The price: a staged copy of every target on its ps task.
       */
      Op apply(Operand<TInt64> next, Operand<TFloat32> scale) {
        Operand<TInt64> appliedValue = on.identity(appliedSteps);
        Operand<TBool> due = on.math.lessEqual(appliedValue, step);
        Operand<TInt64> stagedStepValue = on.identity(stagedStep);
        Operand<TBool> stage = on.math.logicalAnd(due, on.math.notEqual(stagedStepValue, step));
        List<Operand<TFloat32>> mean = means();
        Ops init = on.withInitScope();
        List<Variable<TFloat32>> targets = new ArrayList<>();
        List<Variable<TFloat32>> staged = new ArrayList<>();
        List<Op> stagings = new ArrayList<>();
        for (int i = 0; i < gradients.size(); i++) {
          Variable<TFloat32> v = gradients.get(i).variable();
          Operand<TFloat32> g = scale == null ? mean.get(i) : guarded.math.mul(mean.get(i), scale);
          Operand<TFloat32> value = guarded.identity(v);
          for (UpdateRule.Assignment a : rule.update(on, v, value, g, step)) {
            Variable<TFloat32> copy = on.withName("staged_" + a.target().op().name().replace('/', '.'))
                .variable(init.zeros(Shapes.of(init, a.target().shape()), TFloat32.class));
            stagings.add(guarded.assign(copy, guarded.select(stage, a.value(), guarded.identity(copy))));
            targets.add(a.target());
            staged.add(copy);
          }
        }
        Op markStaged = on.withControlDependencies(stagings).assign(stagedStep, on.select(due, step, stagedStepValue));
        Ops afterStaging = on.withControlDependencies(List.of(markStaged));
        List<Op> commits = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
          Variable<TFloat32> t = targets.get(i);
          commits.add(afterStaging.assign(t, afterStaging.select(due, afterStaging.identity(staged.get(i)),
              afterStaging.identity(t))));
        }
        committed = on.withControlDependencies(commits).noOp();
        return on.withControlDependencies(List.of(committed)).assign(appliedSteps, on.select(due, next, appliedValue));
      }
    }
  }
}
