package org.beyondsoftmax.models.lm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.nn.Dropout;
import org.beyondsoftmax.models.nn.Parameter;
import org.beyondsoftmax.models.nn.PartitionedVariable;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.ops.testing.RandomValues;
import org.beyondsoftmax.ops.testing.TestGraph;
import org.junit.jupiter.api.Test;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The sharded language model computes what the one-process model computes, for every head that
 * shards: with the one-process model's values copied in (three shards of the class-sized
 * variables), the training loss and the gradient of every variable (its shards joined) over two
 * steps — the second from the LSTM state the first left in the worker's buffer — and the inference
 * pass's log-probabilities; and the heads that cannot shard are refused naming themselves.
 */
class ShardedLanguageModelGraphTest {
  private static final int VOCAB = 23;
  private static final int STEPS = 4;
  private static final int BATCH = 3;
  private static final int LAYERS = 2;
  private static final double DROPOUT = 0.3;
  private static final DeviceSpec CPU = DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.CPU).deviceIndex(0).build();
  private static final List<String> HEADS = List.of("softmax", "softmax:tied=true", "sigsoftmax:bias=false",
      "plif:knots=40,range=3", "mos:components=2", "mos-sigsoftmax:components=2", "mos-plif:components=2,knots=30");

  /** The one-process model's loss, gradients and final state for one batch (ours, built from LanguageModel). */
  private static final class Twin {
    final Placeholder<TInt32> ids;
    final Placeholder<TInt32> targets;
    final Placeholder<TFloat32> weights;
    final Placeholder<TInt64> key;
    final List<Placeholder<TFloat32>> state = new ArrayList<>();
    final Operand<TFloat32> loss;
    final List<Operand<?>> gradients;
    final List<Operand<TFloat32>> finalState;
    final Operand<TFloat32> logProbs;
    final List<Parameter<TFloat32>> parameters;

    Twin(Ops tf, LanguageModel.Config config) {
      LanguageModel<TFloat32> m = new LanguageModel<>(tf, TFloat32.class, config);
      parameters = m.parameters();
      ids = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(BATCH, STEPS)));
      targets = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(BATCH, STEPS)));
      weights = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(BATCH, STEPS)));
      key = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
      for (int i = 0; i < 2 * LAYERS; i++) {
        state.add(tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(BATCH, config.hidden()))));
      }
      LanguageModel.Forward<TFloat32> f = m.forward(tf, ids, weights, List.<Operand<TFloat32>>copyOf(state),
          new Dropout<>(DROPOUT, config.seed(), key));
      Operand<TFloat32> w = LanguageModel.timeMajor(tf, weights);
      Operand<TInt32> y = LanguageModel.timeMajor(tf, targets);
      loss = tf.math.div(tf.reduceSum(tf.math.mul(m.head().loss(f.hidden(), y), w), tf.constant(0)),
          tf.math.maximum(tf.reduceSum(w, tf.constant(0)), tf.constant(1f)));
      List<Operand<?>> xs = new ArrayList<>();
      parameters.forEach(p -> xs.add(p.variable()));
      gradients = new ArrayList<>(tf.gradients(loss, xs).dy());
      finalState = f.state();
      LanguageModel.Forward<TFloat32> plain = m.forward(tf, ids, weights, List.<Operand<TFloat32>>copyOf(state), null);
      logProbs = LanguageModel.batchMajor(tf, tf.math.neg(m.head().loss(plain.hidden(), y)), STEPS);
    }
  }

  @Test
  void everyHeadThatShardsEqualsItsOneProcessTwinOverTwoSteps() {
    for (String head : HEADS) {
      int embed = head.contains("tied") ? 6 : 5;
      LanguageModel.Config config = new LanguageModel.Config(VOCAB, embed, 6, LAYERS, Heads.parse(head), 5);
      compare(head, config);
    }
  }

  private static void compare(String head, LanguageModel.Config config) {
    try (Graph a = new Graph(); Graph b = new Graph()) {
      Twin twin = new Twin(Ops.create(a), config);
      ShardedLanguageModelGraph sharded = new ShardedLanguageModelGraph(b, config,
          new LanguageModelGraph.Training(Optimizer.Settings.adam(), 0.1, DROPOUT), STEPS, BATCH,
          new ShardedLanguageModelGraph.Placement(List.of(CPU, CPU, CPU), CPU, 0, 1));
      Ops tb = Ops.create(b);
      Map<PartitionedVariable.Part, Placeholder<TFloat32>> feeds = new LinkedHashMap<>();
      List<Operand<?>> assigns = new ArrayList<>();
      for (PartitionedVariable v : sharded.variables()) {
        for (PartitionedVariable.Part p : v.parts()) {
          Placeholder<TFloat32> in = tb.placeholder(TFloat32.class, Placeholder.shape(p.variable().shape()));
          feeds.put(p, in);
          assigns.add(tb.assign(p.variable(), in));
        }
      }
      try (Session sa = new Session(a); Session sb = new Session(b)) {
        sa.initialize();
        sb.forceInitialize();
        copy(sa, sharded, feeds, assigns, sb);
        int[][] batches = {batch(1), batch(2)};
        float[][] state = new float[2 * LAYERS][BATCH * config.hidden()];
        for (int s = 0; s < 2; s++) {
          int[] ids = batches[s];
          float[] weights = weights(s);
          List<float[]> expected = runTwin(sa, twin, ids, weights, state, s);
          List<float[]> actual = runSharded(sb, sharded, ids, weights, s);
          assertClose(head + ", step " + s + ": loss", expected.get(0), actual.get(0));
          int i = 1;
          for (Parameter<TFloat32> p : twin.parameters) {
            assertClose(head + ", step " + s + ": gradient of " + p.variable().op().name(), expected.get(i++),
                joined(sharded, p.variable().op().name(), actual));
          }
          for (int k = 0; k < state.length; k++) {
            state[k] = expected.get(i++);
          }
        }
        float[] logp = BatchRuns.evaluate(sb, new TbpttBatches.Batch(BATCH, STEPS, batches[0], targets(batches[0]),
            weights(0)), null, 2 * LAYERS, false).logProbs();
        float[] twinLogp = runTwinLogProbs(sa, twin, batches[0], weights(0));
        assertClose(head + ": inference log-probabilities", twinLogp, logp);
      }
    }
  }

  /** The one-process values, split into the parts of the sharded variables. */
  private static void copy(Session sa, ShardedLanguageModelGraph sharded,
      Map<PartitionedVariable.Part, Placeholder<TFloat32>> feeds, List<Operand<?>> assigns, Session sb) {
    Session.Runner r = sb.runner();
    List<Tensor> made = new ArrayList<>();
    for (PartitionedVariable v : sharded.variables()) {
      float[] whole;
      try (Result x = sa.runner().fetch(v.name()).run()) {
        whole = floats(x.get(0));
      }
      long row = v.shape().numDimensions() < 2 ? 1 : v.shape().size() / v.shape().get(0);
      for (PartitionedVariable.Part p : v.parts()) {
        float[] part = new float[(int) p.variable().shape().size()];
        System.arraycopy(whole, (int) (p.offset() * row), part, 0, part.length);
        Tensor t = TFloat32.tensorOf(p.variable().shape(), DataBuffers.of(part));
        made.add(t);
        r.feed(feeds.get(p), t);
      }
    }
    assigns.forEach(x -> r.addTarget(x));
    try {
      r.run();
    } finally {
      made.forEach(Tensor::close);
    }
  }

  private static List<float[]> runTwin(Session sa, Twin twin, int[] ids, float[] weights, float[][] state, long step) {
    List<Tensor> fed = new ArrayList<>();
    Session.Runner r = sa.runner();
    feedBatch(r, fed, twin.ids, twin.targets, twin.weights, ids, weights);
    fed.add(TInt64.scalarOf(step));
    r.feed(twin.key, fed.get(fed.size() - 1));
    for (int k = 0; k < state.length; k++) {
      fed.add(TFloat32.tensorOf(Shape.of(BATCH, state[k].length / BATCH), DataBuffers.of(state[k])));
      r.feed(twin.state.get(k), fed.get(fed.size() - 1));
    }
    r.fetch(twin.loss);
    twin.gradients.forEach(r::fetch);
    twin.finalState.forEach(r::fetch);
    return fetchAll(r, fed);
  }

  private static float[] runTwinLogProbs(Session sa, Twin twin, int[] ids, float[] weights) {
    List<Tensor> fed = new ArrayList<>();
    Session.Runner r = sa.runner();
    feedBatch(r, fed, twin.ids, twin.targets, twin.weights, ids, weights);
    for (Placeholder<TFloat32> s : twin.state) {
      fed.add(TFloat32.tensorOf(Shape.of(BATCH, s.shape().get(1)), DataBuffers.of(new float[(int) (BATCH * s.shape().get(1))])));
      r.feed(s, fed.get(fed.size() - 1));
    }
    return fetchAll(r.fetch(twin.logProbs), fed).get(0);
  }

  private static List<float[]> runSharded(Session sb, ShardedLanguageModelGraph g, int[] ids, float[] weights, long step) {
    List<Tensor> fed = new ArrayList<>();
    Session.Runner r = sb.runner();
    feedBatch(r, fed, g.ids(), g.targets(), g.weights(), ids, weights);
    fed.add(TInt64.scalarOf(step));
    r.feed(g.step(), fed.get(fed.size() - 1));
    fed.add(TBool.scalarOf(step == 0));
    r.feed(g.reset(), fed.get(fed.size() - 1));
    r.fetch(g.loss());
    g.gradients().forEach(x -> r.fetch(x.gradient()));
    r.addTarget(g.carryWrite());
    return fetchAll(r, fed);
  }

  private static void feedBatch(Session.Runner r, List<Tensor> fed, Operand<TInt32> idsIn, Operand<TInt32> targetsIn,
      Operand<TFloat32> weightsIn, int[] ids, float[] weights) {
    Shape shape = Shape.of(BATCH, STEPS);
    fed.add(TInt32.tensorOf(shape, DataBuffers.of(ids)));
    r.feed(idsIn, fed.get(fed.size() - 1));
    fed.add(TInt32.tensorOf(shape, DataBuffers.of(targets(ids))));
    r.feed(targetsIn, fed.get(fed.size() - 1));
    fed.add(TFloat32.tensorOf(shape, DataBuffers.of(weights)));
    r.feed(weightsIn, fed.get(fed.size() - 1));
  }

  private static List<float[]> fetchAll(Session.Runner r, List<Tensor> fed) {
    try (Result result = r.run()) {
      List<float[]> out = new ArrayList<>();
      for (int i = 0; i < result.size(); i++) {
        out.add(floats(result.get(i)));
      }
      return out;
    } finally {
      fed.forEach(Tensor::close);
    }
  }

  /** A variable's gradient from the sharded run: its parts' gradients, rows in order. */
  private static float[] joined(ShardedLanguageModelGraph g, String name, List<float[]> run) {
    List<Float> all = new ArrayList<>();
    for (int i = 0; i < g.gradients().size(); i++) {
      PartitionedVariable.Part p = g.gradients().get(i).part();
      if (p.variable().op().name().equals(name) || p.variable().op().name().startsWith(name + "/part_")) {
        for (float x : run.get(1 + i)) {
          all.add(x);
        }
      }
    }
    float[] out = new float[all.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = all.get(i);
    }
    return out;
  }

  private static int[] batch(long seed) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    int[] ids = RandomValues.labels(r, BATCH * STEPS, VOCAB);
    return ids;
  }

  private static int[] targets(int[] ids) {
    int[] t = new int[ids.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = (ids[i] * 7 + 3) % VOCAB;
    }
    return t;
  }

  /** Ones, with a padded position in the second row at step 1 (its state must stay). */
  private static float[] weights(int step) {
    float[] w = new float[BATCH * STEPS];
    java.util.Arrays.fill(w, 1f);
    if (step == 1) {
      w[STEPS + 2] = 0;
    }
    return w;
  }

  private static float[] floats(Tensor t) {
    float[] a = new float[(int) t.shape().size()];
    ((TFloat32) t).copyTo(DataBuffers.of(a, false, false));
    return a;
  }

  private static void assertClose(String what, float[] expected, float[] actual) {
    double[] e = new double[expected.length];
    double[] a = new double[actual.length];
    for (int i = 0; i < e.length; i++) {
      e[i] = expected[i];
    }
    for (int i = 0; i < a.length; i++) {
      a[i] = actual[i];
    }
    assertEquals(e.length, a.length, what + ": sizes");
    TestGraph.assertClose(what, e, a, 2e-6, 2e-4);
  }

  @Test
  void aHeadThatCannotShardIsRefusedNamingIt() {
    for (String head : List.of("entmax", "sparsemax", "taylor")) {
      try (Graph g = new Graph()) {
        LanguageModel.Config config = new LanguageModel.Config(VOCAB, 5, 6, 1, Heads.parse(head), 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ShardedLanguageModelGraph(
            g, config, new LanguageModelGraph.Training(Optimizer.Settings.adam(), 0.1, 0), STEPS, BATCH,
            new ShardedLanguageModelGraph.Placement(List.of(CPU), CPU, 0, 1)));
        assertTrue(e.getMessage().startsWith("head '" + head + "' cannot be sharded over parameter servers: "),
            e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), e.getMessage());
      }
    }
  }
}
