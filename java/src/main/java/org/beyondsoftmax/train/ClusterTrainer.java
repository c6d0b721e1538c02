package org.beyondsoftmax.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.beyondsoftmax.cluster.ClusterOptimizer;
import org.beyondsoftmax.cluster.ClusterSpec;
import org.beyondsoftmax.cluster.RemoteSession;
import org.beyondsoftmax.cluster.SyncReplicas;
import org.beyondsoftmax.cluster.SyncWorker;
import org.beyondsoftmax.cluster.Task;
import org.beyondsoftmax.cluster.TaskServer;
import org.beyondsoftmax.corpus.Corpus;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.models.lm.BatchRuns;
import org.beyondsoftmax.models.lm.LanguageModelSession;
import org.beyondsoftmax.models.lm.ShardedLanguageModelGraph;
import org.beyondsoftmax.models.lm.TbpttBatches;
import org.beyondsoftmax.ops.Kernels;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Trains a language model as worker {@code w} of a cluster of parameter servers and workers
 * (TensorFlow's distributed runtime; {@code beyond train --cluster SPEC --job worker --task w}):
 * the worker's TensorFlow server runs in this process, its session is a {@link RemoteSession} on it,
 * its graph the {@link ShardedLanguageModelGraph}, and the steps are synchronous
 * ({@link SyncReplicas}, {@link SyncWorker}; {@link ClusterOptimizer}, gradient clipping over all ps
 * tasks).
 *
 * <p>Data: the training stream is cut as one process would cut it for W B columns
 * ({@link TbpttBatches}); at global step s every worker takes batch s mod (batches per epoch), worker
 * w its rows [w B, (w + 1) B), so that the cluster sees the data of a one-process run with batch
 * W B, and each worker's LSTM state is carried (on a ps task) from its rows of one batch to the next.
 *
 * <p>The chief (worker 0) also does what {@link Trainer} does around the steps, at the same points:
 * at the end of each epoch (and where {@code --max-steps} stops) it validates on the cluster, decays
 * the learning rate, stops early, and writes a checkpoint ({@link Checkpoints}); at the end it
 * exports the best one. It holds the model's one-process twin ({@link ShardTransfer}): the cluster
 * starts from the twin's initial values (the same seed gives the same model as one process) or
 * from the latest checkpoint ({@code --resume}), and checkpoints are the twin's, shards joined — so
 * {@code beyond eval} and {@code beyond serve} take the export unchanged, and a cluster run can be
 * resumed by one process with batch W B and the other way round. It writes {@code DIR/cluster.json}:
 * every variable of the cluster, its device, shape and what it is.
 *
 * <p>A worker killed and started again with the same arguments continues from the cluster's global
 * step (nothing lost or doubled: {@link SyncReplicas}); the chief too, reading its history from the
 * latest checkpoint and the learning rate from it. A lost ps task loses its variables: the workers
 * stop with a message naming it, and {@code --resume} restarts from the latest checkpoint.
 */
public final class ClusterTrainer {
  /** The file that describes the cluster's variables, in the model directory. */
  public static final String CLUSTER_FILE = "cluster.json";

  /** {@code DIR/cluster.json}: the cluster and each of its variables. */
  public record ClusterFile(String cluster, int ps, int workers, String head, List<VariableEntry> variables) {}

  /**
   * One variable of the cluster.
   *
   * @param role model, optimizer, learning rate, carried state (a worker's LSTM state between
   *     steps) or synchronization (gradient slots, tags, the global step)
   * @param of the one-process model's variable it holds rows of (null for the cluster's own)
   * @param firstRow the first of those rows
   */
  public record VariableEntry(String name, String device, List<Long> shape, String role, String of, Long firstRow) {}

  private final Trainer trainer;
  private final Path out;
  private final Corpus corpus;
  private final TrainListener listener;
  private final ClusterSpec cluster;
  private final int worker;
  private final SyncWorker.Options options;

  /**
   * @param out the model directory (written by the chief only)
   * @param worker this worker's index; 0 is the chief
   */
  public ClusterTrainer(Path out, Corpus corpus, TrainListener listener, ClusterSpec cluster, int worker,
      SyncWorker.Options options) {
    cluster.task(ClusterSpec.WORKER, worker);
    this.trainer = new Trainer(out, corpus, listener);
    this.out = out;
    this.corpus = corpus;
    this.listener = listener;
    this.cluster = cluster;
    this.worker = worker;
    this.options = options;
  }

  /**
   * Starts this worker's server and trains; the chief then exports.
   *
   * @param resume whether the chief may start the cluster from the latest checkpoint in the model
   *     directory (a cluster that is already initialized continues from its own state either way)
   * @return the chief's final state; null on other workers
   * @throws org.beyondsoftmax.cluster.ClusterFailure when a task is lost or does not answer, naming it
   */
  public TrainState run(TrainSettings settings, boolean resume) throws IOException, InterruptedException {
    int workers = cluster.size(ClusterSpec.WORKER);
    TbpttBatches batches = new TbpttBatches(corpus.train(), workers * settings.batch(), settings.bptt());
    if (batches.batchSize() != workers * settings.batch()) {
      throw new IllegalArgumentException("the training data has " + batches.pairs() + " word pairs: too few for "
          + workers + " workers of --batch " + settings.batch() + " rows");
    }
    Task self = Task.worker(worker);
    SyncWorker.awaitParameterServers(cluster, options);
    TaskServer.start(cluster, self);
    listener.message(TaskServer.readyLine(cluster, self));
    Run run = worker == 0 ? new Chief(settings, resume, batches) : new Run(settings, batches);
    try {
      return run.train();
    } finally {
      run.close();
    }
  }

  /** One worker's graph, session and loop. */
  private class Run implements AutoCloseable {
    final TrainSettings settings;
    final TbpttBatches batches;
    final long limit;
    final Graph graph = new Graph();
    final Ops tf = Ops.create(graph);
    final ShardedLanguageModelGraph model;
    final ClusterOptimizer rule;
    final SyncReplicas sync;
    Session session;
    SyncWorker loop;

    Run(TrainSettings settings, TbpttBatches batches) {
      this.settings = settings;
      this.batches = batches;
      long epochs = (long) settings.epochs() * batches.size();
      this.limit = settings.maxSteps() > 0 ? Math.min(settings.maxSteps(), epochs) : epochs;
      try (var portable = Kernels.portable()) {
        List<org.tensorflow.DeviceSpec> ps = new ArrayList<>();
        for (int p = 0; p < cluster.size(ClusterSpec.PS); p++) {
          ps.add(Task.ps(p).device());
        }
        model = new ShardedLanguageModelGraph(graph, settings.model(corpus.vocabulary().size()), settings.training(),
            settings.bptt(), settings.batch(), new ShardedLanguageModelGraph.Placement(ps, Task.worker(worker).device(),
            worker, cluster.size(ClusterSpec.WORKER)));
        Map<Variable<TFloat32>, Double> rates = new HashMap<>();
        List<SyncReplicas.Gradient> gradients = new ArrayList<>();
        for (ShardedLanguageModelGraph.Gradient g : model.gradients()) {
          rates.put(g.part().variable(), g.learningRateMultiplier());
          gradients.add(new SyncReplicas.Gradient(g.part().variable(), g.gradient()));
        }
        rule = new ClusterOptimizer(settings.training().optimizer(), model.learningRate().parts().get(0).variable(), rates);
        sync = SyncReplicas.build(tf, cluster, worker, gradients, rule,
            new SyncReplicas.Settings(settings.clip(), List.of(model.carryWrite())));
      }
    }

    SyncWorker.Listener progress() {
      return new SyncWorker.Listener() {};
    }

    SyncWorker.Initializer initializer() {
      return SyncWorker.Initializer.FRESH;
    }

    void open() {
      session = RemoteSession.open(graph, cluster.target(Task.worker(worker)), SyncWorker.sessionConfig(worker, options));
      loop = new SyncWorker(session, sync, options, progress(), initializer());
    }

    TrainState train() throws IOException, InterruptedException {
      open();
      long s = loop.train(limit, this::batch);
      listener.message("worker " + worker + ": training ended at step " + s);
      return null;
    }

    /** The feeds of this worker's rows of the batch of global step s. */
    Map<Operand<?>, Tensor> batch(long s) {
      TbpttBatches.Batch b = batches.get((int) (s % batches.size()));
      int rows = settings.batch();
      int cells = rows * b.steps();
      int from = worker * cells;
      Map<Operand<?>, Tensor> feeds = new LinkedHashMap<>();
      Shape shape = Shape.of(rows, b.steps());
      feeds.put(model.ids(), TInt32.tensorOf(shape, DataBuffers.of(java.util.Arrays.copyOfRange(b.ids(), from, from + cells))));
      feeds.put(model.targets(), TInt32.tensorOf(shape,
          DataBuffers.of(java.util.Arrays.copyOfRange(b.targets(), from, from + cells))));
      feeds.put(model.weights(), TFloat32.tensorOf(shape,
          DataBuffers.of(java.util.Arrays.copyOfRange(b.weights(), from, from + cells))));
      feeds.put(model.step(), TInt64.scalarOf(s));
      feeds.put(model.reset(), TBool.scalarOf(s % batches.size() == 0));
      return feeds;
    }

    @Override
    public void close() {
      if (session != null) {
        session.close();
      }
      graph.close();
    }
  }

  /** The chief: the loop in epochs, validation, checkpoints, the twin, export. */
  private final class Chief extends Run {
    final boolean resume;
    final Checkpoints checkpoints;
    final LanguageModelSession twin;
    final Optional<Checkpoints.Loaded> latest;
    ShardTransfer transfer;
    boolean initialized;
    double epochLoss;
    long epochTokens;
    double epochSeconds;
    long segmentStart;
    Double pendingRate;

    Chief(TrainSettings settings, boolean resume, TbpttBatches batches) throws IOException {
      super(settings, batches);
      this.resume = resume;
      this.checkpoints = trainer.prepare(settings);
      this.latest = checkpoints.latest();
      this.twin = LanguageModelSession.portable(settings.model(corpus.vocabulary().size()), settings.training(),
          settings.bptt(), settings.topK());
      transfer = new ShardTransfer(tf, model, rule, twin);
      writeClusterFile();
    }

    @Override
    SyncWorker.Initializer initializer() {
      return () -> {
        long first = 0;
        if (latest.isPresent()) {
          if (!resume) {
            throw new IllegalArgumentException("--out " + out + " holds a run already: continue it with --resume "
                + out + ", or choose another --out");
          }
          twin.restore(checkpoints.variables(latest.get().name()));
          first = latest.get().state().steps();
          listener.message("resuming the cluster from " + latest.get().name());
        }
        transfer.push(twin, session);
        if (latest.isPresent() && latest.get().carried() != null) {
          setCarried(latest.get().carried(), first);
        }
        initialized = true;
        return first;
      };
    }

    @Override
    SyncWorker.Listener progress() {
      return new SyncWorker.Listener() {
        @Override
        public void gathered(long step) {
          try (Result r = session.runner().fetch(model.progress()).run()) {
            TFloat32 p = (TFloat32) r.get(0);
            double loss = 0;
            long tokens = 0;
            for (int w = 0; w < p.shape().get(0); w++) {
              loss += p.getFloat(w, 0) * p.getFloat(w, 1);
              tokens += (long) p.getFloat(w, 1);
            }
            epochLoss += loss;
            epochTokens += tokens;
            double seconds = epochSeconds + (System.nanoTime() - segmentStart) / 1e9;
            listener.batchDone(tokens == 0 ? 0 : loss / tokens, (int) tokens, epochTokens / seconds);
          }
        }
      };
    }

    @Override
    TrainState train() throws IOException, InterruptedException {
      open();
      loop.start();
      TrainState state = latest.map(Checkpoints.Loaded::state).orElse(TrainState.start());
      long per = batches.size();
      long s = loop.globalStep();
      if (!initialized) {
        listener.message("the cluster is at step " + s + "; continuing");
        if (latest.isPresent()) {
          twin.restore(checkpoints.variables(latest.get().name()));
          setRate(twin.learningRate());
        } else {
          setRate(settings.learningRate());
        }
      }
      if (s < state.steps()) {
        throw new IllegalStateException("the cluster is at step " + s + ", behind the latest checkpoint ("
            + state.steps() + " steps): its ps tasks hold another run; restart them to resume from the checkpoint");
      }
      if (s == state.steps()) {
        epochLoss = state.epochLoss();
        epochTokens = state.epochTokens();
        epochSeconds = state.epochSeconds();
      }
      while (state.finished() == null) {
        s = loop.globalStep();
        if (s > state.steps() && (s % per == 0 || s >= limit)) {
          listener.epochTrained();
          state = endEpoch(state, s);
          epochLoss = 0;
          epochTokens = 0;
          epochSeconds = 0;
          continue;
        }
        if (s >= (long) settings.epochs() * per) {
          state = trainer.finish(state, "completed " + settings.epochs() + " epochs");
        } else if (settings.maxSteps() > 0 && s >= settings.maxSteps()) {
          state = trainer.finish(state, "reached --max-steps " + settings.maxSteps());
        } else {
          listener.epochStarted((int) (s / per), settings.epochs(), (int) (s % per), (int) per);
          segmentStart = System.nanoTime();
          loop.train(Math.min((s / per + 1) * per, limit), this::batch);
          epochSeconds += (System.nanoTime() - segmentStart) / 1e9;
        }
      }
      loop.finish(loop.globalStep());
      trainer.export(settings, checkpoints, state);
      return state;
    }

    /** Validation, the learning rate, early stopping and a checkpoint at global step s (Trainer's, on the cluster). */
    private TrainState endEpoch(TrainState state, long s) throws IOException {
      long per = batches.size();
      int epoch = (int) ((s - 1) / per);
      int batch = (int) (s - epoch * per);
      boolean complete = batch == per;
      pendingRate = null;
      EpochEnd.Model m = new EpochEnd.Model(
          (b, carried) -> BatchRuns.evaluate(session, b, carried, model.stateTensors(), false), false,
          this::rate, r -> pendingRate = r, (next, whole) -> checkpoint(next, whole, s));
      return EpochEnd.run(m, corpus, settings, state,
          new EpochEnd.Position(epoch, batch, complete, s, epochLoss, epochTokens, epochSeconds), listener);
    }

    /**
     * The twin takes the cluster's values (and a decayed learning rate), is checkpointed, and only
     * then the cluster takes the new rate: a chief restarted in between finds it in the checkpoint.
     */
    private void checkpoint(TrainState next, boolean complete, long s) throws IOException {
      transfer.pull(session, twin, s);
      if (pendingRate != null) {
        twin.setLearningRate(pendingRate);
      }
      checkpoints.write(twin, next, complete ? null : carried(s));
      if (pendingRate != null) {
        setRate(pendingRate);
      }
    }

    private double rate() {
      try (Result r = session.runner().fetch(model.learningRate().parts().get(0).variable()).run()) {
        return ((TFloat32) r.get(0)).getFloat();
      }
    }

    private void setRate(double value) {
      try (TFloat32 v = TFloat32.scalarOf((float) value)) {
        session.runner().feed(model.newLearningRate(), v).addTarget(model.setLearningRate()).run().close();
      }
    }

    /** The state every worker carries into step s, as one process with W B rows carries it: [2L][W B H]. */
    private float[][] carried(long s) {
      try (TInt64 step = TInt64.scalarOf(s);
          Result r = session.runner().feed(model.step(), step).fetch(model.carryOut()).run()) {
        TFloat32 t = (TFloat32) r.get(0); // [W, 2L, B, H]
        int w = (int) t.shape().get(0);
        int k = (int) t.shape().get(1);
        int cell = (int) (t.shape().get(2) * t.shape().get(3));
        float[] all = new float[(int) t.shape().size()];
        t.copyTo(DataBuffers.of(all, false, false));
        float[][] out = new float[k][w * cell];
        for (int v = 0; v < w; v++) {
          for (int i = 0; i < k; i++) {
            System.arraycopy(all, (v * k + i) * cell, out[i], v * cell, cell);
          }
        }
        return out;
      }
    }

    /** The inverse of {@link #carried}: every worker's state into step s from a checkpoint's. */
    private void setCarried(float[][] carried, long s) {
      Shape shape = model.carryIn().shape();
      int w = (int) shape.get(0);
      int k = (int) shape.get(1);
      int cell = (int) (shape.get(2) * shape.get(3));
      if (carried.length != k || carried[0].length != w * cell) {
        throw new IllegalArgumentException("the checkpoint's carried LSTM state is for " + carried[0].length
            / (cell / shape.get(2)) + " rows; this cluster trains " + w + " workers of " + shape.get(2)
            + " rows: resume it with as many workers as it was trained with");
      }
      float[] all = new float[w * k * cell];
      for (int v = 0; v < w; v++) {
        for (int i = 0; i < k; i++) {
          System.arraycopy(carried[i], v * cell, all, (v * k + i) * cell, cell);
        }
      }
      try (TInt64 step = TInt64.scalarOf(s); TFloat32 in = TFloat32.tensorOf(shape, DataBuffers.of(all))) {
        session.runner().feed(model.step(), step).feed(model.carryIn(), in).addTarget(model.setCarry()).run().close();
      }
    }

    /** {@code DIR/cluster.json}: every variable of the chief's graph with its device, shape and role. */
    private void writeClusterFile() throws IOException {
      Map<String, VariableEntry> known = new HashMap<>();
      for (ShardTransfer.Entry e : transfer.entries()) {
        for (ShardTransfer.Part p : e.parts()) {
          known.put(p.variable().op().name(), new VariableEntry(p.variable().op().name(), null, null,
              e.role().name().toLowerCase().replace('_', ' '), e.name(), p.offset()));
        }
      }
      List<VariableEntry> all = new ArrayList<>();
      for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
        GraphOperation op = it.next();
        if (!op.type().equals("VariableV2")) {
          continue;
        }
        Task task = Task.ofDevice(op.device());
        String device = task == null ? op.device() : task.toString();
        List<Long> shape = new ArrayList<>();
        for (long d : op.output(0).shape().asArray()) {
          shape.add(d);
        }
        VariableEntry k = known.get(op.name());
        String role = k != null ? k.role() : op.name().startsWith("carry/") ? "carried state" : "synchronization";
        all.add(new VariableEntry(op.name(), device, shape, role, k == null ? null : k.of(),
            k == null ? null : k.firstRow()));
      }
      Json.write(out.resolve(CLUSTER_FILE), new ClusterFile(cluster.toString(), cluster.size(ClusterSpec.PS),
          cluster.size(ClusterSpec.WORKER), settings.head().toString(), all));
    }

    @Override
    public void close() {
      super.close();
      twin.close();
    }
  }

  /** The model directory's cluster file, read back. */
  public static ClusterFile readClusterFile(Path dir) throws IOException {
    return Json.read(dir.resolve(CLUSTER_FILE), ClusterFile.class);
  }
}
