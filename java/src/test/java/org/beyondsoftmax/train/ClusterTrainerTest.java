package org.beyondsoftmax.train;

import static org.beyondsoftmax.testing.BeyondRun.beyond;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.beyondsoftmax.cluster.ClusterOptimizer;
import org.beyondsoftmax.cluster.Processes;
import org.beyondsoftmax.corpus.Corpus;
import org.beyondsoftmax.corpus.TextCorpus;
import org.beyondsoftmax.models.lm.LanguageModelSession;
import org.beyondsoftmax.models.lm.ModelDirectory;
import org.beyondsoftmax.models.lm.SavedLanguageModel;
import org.beyondsoftmax.models.lm.ShardedLanguageModelGraph;
import org.beyondsoftmax.models.lm.TbpttBatches;
import org.beyondsoftmax.testing.BeyondRun;
import org.beyondsoftmax.testing.SyncSgd;
import org.beyondsoftmax.testing.TinyLanguageModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * {@code beyond train --local-cluster ps=2,workers=2} on a tiny corpus (loopback only; the launcher
 * runs in this JVM, the 2 ps and 2 worker processes beside it): 20 synchronous SGD steps give the
 * variables of one process that averages the same batches' gradients; {@code cluster.json} puts
 * the class-embedding shards on both ps tasks; the export is an ordinary SavedModel that
 * {@code beyond eval} takes. Faults: a worker and then the chief killed (SIGKILL) mid-training are
 * started again by the launcher and the run ends with the undisturbed run's variables, bit for
 * bit; a killed ps stops the run with one line that says how to resume, and {@code --resume} ends
 * with the same variables. After every test no process it started is left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTrainerTest {
  private static final int PS = 2;
  private static final int WORKERS = 2;
  private static final int STEPS = 20;
  private static final Duration RUN = Duration.ofMinutes(5);
  private static final String OURS = "--stop-with " + ProcessHandle.current().pid();

  @TempDir
  static Path root;
  private static Path corpus;
  private static Map<String, float[]> undisturbed;
  private static ExecutorService launcher;

  @BeforeAll
  static void corpus() throws IOException {
    corpus = TinyLanguageModels.corpus(root.resolve("text"), 60, 12);
    launcher = Executors.newSingleThreadExecutor();
  }

  @AfterAll
  static void stop() {
    launcher.shutdownNow();
  }

  /** Every test leaves no process behind: none started with --stop-with this JVM is alive. */
  @AfterEach
  void noProcessIsLeft() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!ours().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(List.of(), ours().stream().map(p -> p.pid() + " " + Processes.commandLine(p)).toList(),
        "processes left running");
  }

  /** A training run of SGD (lr 0.5, no clipping), 3 epochs of 9 steps at most, 20 steps. */
  private static List<String> train(Path out) {
    return new ArrayList<>(List.of("train", "--corpus", corpus.toString(), "--out", out.toString(), "--embed", "8",
        "--hidden", "8", "--bptt", "6", "--batch", "4", "--eval-batch", "3", "--optimizer", "sgd", "--lr", "0.5",
        "--clip", "0", "--dropout", "0.1", "--epochs", "3", "--max-steps", Integer.toString(STEPS), "--seed", "3",
        "--top-k", "3", "--local-cluster", "ps=" + PS + ",workers=" + WORKERS));
  }

  private static Future<BeyondRun> beyondLater(List<String> args) {
    return launcher.submit(() -> beyond(args));
  }

  @Test
  @Order(1)
  void twentySgdStepsEqualOneProcessThatAveragesTheSameBatches() throws Exception {
    Path out = root.resolve("undisturbed");
    BeyondRun run = beyond(train(out));
    assertEquals(0, run.code(), run.text());
    undisturbed = variables(out);
    Map<String, float[]> expected = reference(Trainer.settingsOf(out), TextCorpus.load(corpus, 0), STEPS);
    Map<String, float[]> initial = reference(Trainer.settingsOf(out), TextCorpus.load(corpus, 0), 0);
    assertEquals(expected.keySet(), undisturbed.keySet());
    System.out.println("ClusterTrainerTest: 20 steps on the cluster against one process: max |difference| "
        + maxDifference(expected, undisturbed));
    for (var e : expected.entrySet()) {
      assertArrayEquals(e.getValue(), undisturbed.get(e.getKey()), 1e-5f, e.getKey());
      float moved = 0;
      for (int i = 0; i < e.getValue().length; i++) {
        moved = Math.max(moved, Math.abs(e.getValue()[i] - initial.get(e.getKey())[i]));
      }
      assertTrue(moved > 1e-3, e.getKey() + " moved only " + moved + ": a lost step would not show");
    }
    Map<String, float[]> oneLess = reference(Trainer.settingsOf(out), TextCorpus.load(corpus, 0), STEPS - 1);
    assertTrue(maxDifference(oneLess, undisturbed) > 1e-3, "19 steps are too close to 20 to tell apart");

    ClusterTrainer.ClusterFile file = ClusterTrainer.readClusterFile(out);
    assertEquals(PS, file.ps());
    assertEquals(WORKERS, file.workers());
    Map<String, List<Long>> shards = new LinkedHashMap<>();
    for (ClusterTrainer.VariableEntry v : file.variables()) {
      if ("softmax/class_weights".equals(v.of())) {
        shards.put(v.device(), v.shape());
      }
    }
    assertEquals(Map.of("/job:ps/task:0", List.of(11L, 8L), "/job:ps/task:1", List.of(11L, 8L)), shards,
        "the class-embedding shards of 22 words");
    assertTrue(file.variables().stream().anyMatch(v -> v.name().equals("lm/layer0_kernel_x")
        && v.device().equals("/job:ps/task:0") && v.role().equals("model")), file.variables().toString());

    // the export: the ordinary SavedModel of the best checkpoint, which beyond eval takes
    try (SavedLanguageModel m = SavedLanguageModel.load(out);
        LanguageModelSession twin = checkpoint(out,
            new Checkpoints(new ModelDirectory(out)).latest().orElseThrow().state().bestCheckpoint())) {
      int[] ids = {1, 2, 3, 4, 5, 6};
      float[] served = m.logProbs(1, 6, ids, ids);
      float[] direct = twin.evaluate(new TbpttBatches.Batch(1, 6, ids, ids, new float[] {1, 1, 1, 1, 1, 1}), null)
          .logProbs();
      assertArrayEquals(direct, served, 1e-6f, "the export serves the best checkpoint");
    }
    BeyondRun eval = beyond(List.of("eval", "--model", out.toString(), "--corpus", corpus.toString(), "--split", "test"));
    assertEquals(0, eval.code(), eval.text());
  }

  @Test
  @Order(2)
  void aWorkerAndTheChiefKilledMidTrainingAreRestartedAndNothingIsLostOrDoubled() throws Exception {
    Path out = root.resolve("killed");
    Future<BeyondRun> run = beyondLater(train(out));
    // worker 1 killed as soon as the chief starts training (it cannot finish before the chief):
    // 20 steps of the tiny model can all be over within 1.5 s on a quiet machine, and a fixed
    // sleep here once found worker 1 already gone
    awaitText(out.resolve("cluster-logs").resolve("worker-0.log"), "epoch 1/3: batches");
    kill("worker", 1);
    awaitFile(new ModelDirectory(out).checkpoints().resolve(Checkpoints.LATEST));
    kill("worker", 0);
    BeyondRun r = run.get(RUN.toSeconds(), TimeUnit.SECONDS);
    assertEquals(0, r.code(), r.text());
    assertTrue(r.text().contains("worker /job:worker/task:1 died (status 137); starting it again"), r.text());
    assertTrue(r.text().contains("worker /job:worker/task:0 died (status 137); starting it again"), r.text());
    Map<String, float[]> actual = variables(out);
    for (var e : undisturbed().entrySet()) {
      assertArrayEquals(e.getValue(), actual.get(e.getKey()), 0f, e.getKey() + " (max |difference| "
          + maxDifference(undisturbed(), actual) + "); the run said:\n" + r.text());
    }
    assertEquals(perplexities(root.resolve("undisturbed")), perplexities(out), "the validations of the undisturbed run");
  }

  @Test
  @Order(3)
  void aKilledPsStopsTheRunSayingHowToResumeAndResumeEndsAsTheUndisturbedRun() throws Exception {
    Path out = root.resolve("pslost");
    Future<BeyondRun> run = beyondLater(train(out));
    awaitFile(new ModelDirectory(out).checkpoints().resolve(Checkpoints.LATEST));
    String address = kill("ps", 1);
    BeyondRun r = run.get(RUN.toSeconds(), TimeUnit.SECONDS);
    assertEquals(1, r.code(), r.text());
    List<String> lines = r.text().lines().toList();
    assertEquals("beyond train: parameter server /job:ps/task:1 at " + address + " exited with status 137: its "
        + "variables are lost with it; resume from the last checkpoint: beyond train --resume " + out
        + " --local-cluster ps=" + PS + ",workers=" + WORKERS, lines.get(lines.size() - 1));
    noProcessIsLeft();
    BeyondRun resumed = beyond(List.of("train", "--resume", out.toString(), "--local-cluster", "ps=" + PS + ",workers=" + WORKERS));
    assertEquals(0, resumed.code(), resumed.text());
    assertTrue(resumed.text().contains("resuming the cluster from ckpt-"), resumed.text());
    Map<String, float[]> actual = variables(out);
    for (var e : undisturbed().entrySet()) {
      assertArrayEquals(e.getValue(), actual.get(e.getKey()), 0f, e.getKey());
    }
  }

  /** The undisturbed run's variables (trained by the first test). */
  private static Map<String, float[]> undisturbed() {
    assertTrue(undisturbed != null, "the undisturbed run (test 1) did not finish");
    return undisturbed;
  }

  /** The model variables of the latest checkpoint of {@code out}, by name. */
  private static Map<String, float[]> variables(Path out) throws IOException {
    Checkpoints.Loaded latest = new Checkpoints(new ModelDirectory(out)).latest().orElseThrow();
    assertEquals(STEPS, latest.state().steps());
    Map<String, float[]> values = new HashMap<>();
    try (LanguageModelSession twin = checkpoint(out, latest.name())) {
      for (var p : twin.model().parameters()) {
        try (Result r = twin.session().runner().fetch(p.variable()).run()) {
          values.put(p.variable().op().name(), floats(r.get(0)));
        }
      }
    }
    return values;
  }

  private static LanguageModelSession checkpoint(Path out, String name) throws IOException {
    TrainSettings s = Trainer.settingsOf(out);
    LanguageModelSession twin = LanguageModelSession.portable(s.model(TextCorpus.load(corpus, 0).vocabulary().size()),
        s.training(), s.bptt(), s.topK());
    twin.restore(new Checkpoints(new ModelDirectory(out)).variables(name));
    return twin;
  }

  private static List<Double> perplexities(Path out) throws IOException {
    return new Checkpoints(new ModelDirectory(out)).latest().orElseThrow().state().history().stream()
        .map(TrainState.Epoch::validPerplexity).toList();
  }

  /**
   * The variables after {@code steps} steps in one process: the cluster's model graph built on this
   * process's CPU once per worker (its dropout keys and carried state are the worker's), started from
   * the one-process model's initial values; at each step every worker's gradients of its rows of the
   * step's batch, summed in worker order, divided by the workers, and v - lr mean, in float32.
   */
  static Map<String, float[]> reference(TrainSettings settings, Corpus corpus, long steps) {
    DeviceSpec cpu = DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build();
    List<Graph> graphs = new ArrayList<>();
    List<Session> sessions = new ArrayList<>();
    try (LanguageModelSession twin = LanguageModelSession.portable(settings.model(corpus.vocabulary().size()),
        settings.training(), settings.bptt(), settings.topK())) {
      List<ShardedLanguageModelGraph> models = new ArrayList<>();
      List<ShardTransfer> transfers = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        Graph g = new Graph();
        graphs.add(g);
        ShardedLanguageModelGraph m = new ShardedLanguageModelGraph(g, settings.model(corpus.vocabulary().size()),
            settings.training(), settings.bptt(), settings.batch(),
            new ShardedLanguageModelGraph.Placement(Collections.nCopies(PS, cpu), cpu, w, WORKERS));
        models.add(m);
        transfers.add(new ShardTransfer(Ops.create(g), m, new ClusterOptimizer(settings.training().optimizer(),
            m.learningRate().parts().get(0).variable(), Map.of()), twin));
        Session s = new Session(g);
        sessions.add(s);
        s.forceInitialize();
        transfers.get(w).push(twin, s);
      }
      Map<String, float[]> values = new LinkedHashMap<>();
      for (ShardedLanguageModelGraph.Gradient g : models.get(0).gradients()) {
        try (Result r = sessions.get(0).runner().fetch(g.part().variable()).run()) {
          values.put(g.part().variable().op().name(), floats(r.get(0)));
        }
      }
      TbpttBatches batches = new TbpttBatches(corpus.train(), WORKERS * settings.batch(), settings.bptt());
      for (long s = 0; s < steps; s++) {
        TbpttBatches.Batch b = batches.get((int) (s % batches.size()));
        List<List<float[]>> grads = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
          grads.add(gradients(sessions.get(w), models.get(w), transfers.get(w), values, b, w, s,
              s % batches.size() == 0));
        }
        SyncSgd.step(values.values(), grads, (float) settings.learningRate());
      }
      Map<String, float[]> joined = new LinkedHashMap<>();
      for (ShardTransfer.Entry e : transfers.get(0).entries()) {
        if (e.role() != ShardTransfer.Role.MODEL) {
          continue;
        }
        List<Float> all = new ArrayList<>();
        for (ShardTransfer.Part p : e.parts()) {
          for (float x : values.get(p.variable().op().name())) {
            all.add(x);
          }
        }
        float[] a = new float[all.size()];
        for (int i = 0; i < a.length; i++) {
          a[i] = all.get(i);
        }
        joined.put(e.name(), a);
      }
      return joined;
    } finally {
      sessions.forEach(Session::close);
      graphs.forEach(Graph::close);
    }
  }

  /** Worker w's gradients at step s with the variables set to {@code values}, in the order of its parts. */
  private static List<float[]> gradients(Session session, ShardedLanguageModelGraph m, ShardTransfer transfer,
      Map<String, float[]> values, TbpttBatches.Batch b, int w, long s, boolean reset) {
    List<Tensor> fed = new ArrayList<>();
    try {
      Session.Runner set = session.runner();
      for (ShardTransfer.Entry e : transfer.entries()) {
        for (ShardTransfer.Part p : e.parts()) {
          float[] v = values.get(p.variable().op().name());
          if (v != null) {
            Tensor t = TFloat32.tensorOf(p.variable().shape(), DataBuffers.of(v));
            fed.add(t);
            set.feed(p.in(), t).addTarget(p.assign());
          }
        }
      }
      set.run().close();
      int rows = b.batch() / WORKERS;
      int cells = rows * b.steps();
      Shape shape = Shape.of(rows, b.steps());
      Session.Runner r = session.runner();
      fed.add(TInt32.tensorOf(shape, DataBuffers.of(java.util.Arrays.copyOfRange(b.ids(), w * cells, (w + 1) * cells))));
      r.feed(m.ids(), fed.get(fed.size() - 1));
      fed.add(TInt32.tensorOf(shape, DataBuffers.of(java.util.Arrays.copyOfRange(b.targets(), w * cells, (w + 1) * cells))));
      r.feed(m.targets(), fed.get(fed.size() - 1));
      fed.add(TFloat32.tensorOf(shape, DataBuffers.of(java.util.Arrays.copyOfRange(b.weights(), w * cells, (w + 1) * cells))));
      r.feed(m.weights(), fed.get(fed.size() - 1));
      fed.add(TInt64.scalarOf(s));
      r.feed(m.step(), fed.get(fed.size() - 1));
      fed.add(TBool.scalarOf(reset));
      r.feed(m.reset(), fed.get(fed.size() - 1));
      m.gradients().forEach(g -> r.fetch(g.gradient()));
      r.addTarget(m.carryWrite());
      try (Result out = r.run()) {
        List<float[]> grads = new ArrayList<>();
        for (int i = 0; i < m.gradients().size(); i++) {
          grads.add(floats(out.get(i)));
        }
        return grads;
      }
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  private static float[] floats(Tensor t) {
    float[] a = new float[(int) t.shape().size()];
    ((TFloat32) t).copyTo(DataBuffers.of(a, false, false));
    return a;
  }

  private static float maxDifference(Map<String, float[]> a, Map<String, float[]> b) {
    float max = 0;
    for (var e : a.entrySet()) {
      for (int i = 0; i < e.getValue().length; i++) {
        max = Math.max(max, Math.abs(e.getValue()[i] - b.get(e.getKey())[i]));
      }
    }
    return max;
  }

  /** The processes of the local cluster this JVM launched. */
  private static List<ProcessHandle> ours() {
    return Processes.with(OURS);
  }

  /** Kills (SIGKILL) the process of task {@code index} of {@code job}; returns its address. */
  private static String kill(String job, int index) throws InterruptedException {
    String marker = "--job " + job + " --task " + index + " " + OURS;
    ProcessHandle p = ours().stream().filter(h -> Processes.commandLine(h).contains(marker)).findFirst()
        .orElseThrow(() -> new AssertionError("no process of " + job + " " + index + " among " + ours()));
    String line = Processes.commandLine(p);
    String spec = line.replaceAll(".*--cluster (\\S+).*", "$1");
    String[] jobs = spec.split(";");
    String address = (job.equals("ps") ? jobs[0] : jobs[1]).replaceAll("^\\w+=", "").split(",")[index];
    p.destroyForcibly();
    p.onExit().orTimeout(30, TimeUnit.SECONDS).join();
    return address;
  }

  private static void awaitFile(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + RUN.toNanos();
    while (!Files.exists(file)) {
      assertTrue(System.nanoTime() < deadline, file + " did not appear within " + RUN);
      Thread.sleep(50);
    }
  }

  private static void awaitText(Path file, String text) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + RUN.toNanos();
    while (!Files.exists(file) || !Files.readString(file).contains(text)) {
      assertTrue(System.nanoTime() < deadline, file + " did not say '" + text + "' within " + RUN);
      Thread.sleep(50);
    }
  }
}
