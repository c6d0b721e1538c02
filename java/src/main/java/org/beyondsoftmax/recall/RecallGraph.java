package org.beyondsoftmax.recall;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.beyondsoftmax.models.attention.AttentionFactory;
import org.beyondsoftmax.models.attention.Transformer;
import org.beyondsoftmax.models.heads.HeadConfig;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.heads.OutputHead;
import org.beyondsoftmax.models.nn.Parameter;
import org.beyondsoftmax.models.nn.Parameters;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The recall model's graph (float32), built, not run: x_i = E_key[key_i] + E_value[value_i]
 * ({@link RecallTask}'s ids), a causal {@link Transformer} without positional embeddings (any
 * length; {@link Transformer#withoutPositions}), and a softmax head over the V values on the last
 * position (the query). One training input of the training length with its mean cross-entropy and
 * an Adam step (deterministic, {@link Optimizer}), with weights [B, L] that mask left padding when a
 * curriculum feeds shorter sequences; per test length an input and the predicted values, every
 * application sharing the variables.
 */
final class RecallGraph {
  /** The model's size. */
  record Size(int width, int layers, int heads) {
    Size {
      if (width < 1) {
        throw new IllegalArgumentException("--width must be >= 1, got " + width);
      }
      if (layers < 1 || layers > 8) {
        throw new IllegalArgumentException("--layers must be in [1, 8], got " + layers);
      }
      if (heads < 1 || width % heads != 0) {
        throw new IllegalArgumentException("--attention-heads must be >= 1 and divide --width " + width + ", got "
            + heads);
      }
    }
  }

  /** The inputs [B, L] of one length. */
  record Input(Placeholder<TInt32> keys, Placeholder<TInt32> values) {}

  final Input train;
  /** The training input's weights [B, L] (0: padding), or null without a curriculum. */
  final Placeholder<TFloat32> trainWeights;
  /** The query's top hidden state [B, width] of the training input and of each test input. */
  final Operand<TFloat32> trainQuery;
  final Map<Integer, Operand<TFloat32>> testQueries = new LinkedHashMap<>();
  final Placeholder<TInt32> answers;
  final Operand<TFloat32> loss;
  final Op step;
  final Map<Integer, Input> tests = new LinkedHashMap<>();
  final Map<Integer, Operand<TInt64>> predictions = new LinkedHashMap<>();

  private final RecallTask task;
  private final Operand<TFloat32> keyEmbedding;
  private final Operand<TFloat32> valueEmbedding;
  private final Transformer<TFloat32> transformer;
  private final OutputHead<TFloat32> head;
  private final int width;

  RecallGraph(Graph graph, RecallTask task, Size size, Spec<AttentionFactory> attention, int trainLength,
      boolean padded, List<Integer> testLengths, double learningRate, long seed) {
    this.task = task;
    this.width = size.width();
    Ops tf = Ops.create(graph);
    Parameters<TFloat32> p = new Parameters<>(tf, TFloat32.class, seed, "recall");
    keyEmbedding = p.normal("key_embedding", Shape.of(task.keyIds(), width), 1);
    valueEmbedding = p.normal("value_embedding", Shape.of(task.valueIds(), width), 1);
    transformer = Transformer.withoutPositions(new Parameters<>(p.ops(), TFloat32.class, seed, "transformer"),
        width, size.layers(), size.heads(), attention);
    head = Heads.create(Heads.parse("softmax"), new HeadConfig<>(tf, TFloat32.class, width, task.values(), seed));
    List<Parameter<TFloat32>> params = new ArrayList<>(p.all());
    params.addAll(transformer.parameters());
    params.addAll(head.parameters());

    train = input(tf, "train", trainLength);
    answers = tf.withName("answers").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    Ops tr = tf.withSubScope("train");
    trainWeights = padded ? tf.withName("train_weights").placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, trainLength))) : null;
    trainQuery = query(tr, train, trainWeights, trainLength);
    loss = tr.math.mean(head.loss(trainQuery, answers), tr.constant(0));
    step = Optimizer.minimize(tr, loss, params, learningRate, Optimizer.Settings.adam()).update();
    for (int length : testLengths) {
      Input in = input(tf, "test" + length, length);
      Ops te = tf.withSubScope("test" + length);
      tests.put(length, in);
      testQueries.put(length, query(te, in, null, length));
      predictions.put(length, te.math.argMax(head.logProbabilities(testQueries.get(length)), te.constant(1),
          TInt64.class));
    }
  }

  private static Input input(Ops tf, String name, int length) {
    return new Input(tf.withName(name + "_keys").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, length))),
        tf.withName(name + "_values").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, length))));
  }

  /** The top hidden state of the last position (the query), [B, width]; weights null: no padding. */
  private Operand<TFloat32> query(Ops tf, Input in, Operand<TFloat32> weights, int length) {
    Operand<TFloat32> x = tf.math.add(tf.gather(keyEmbedding, in.keys(), tf.constant(0)),
        tf.gather(valueEmbedding, in.values(), tf.constant(0))); // [B, L, D]
    Operand<TFloat32> y = transformer.apply(tf, x, weights, null);
    Operand<TFloat32> last = tf.slice(y, tf.constant(new int[] {0, length - 1, 0}), tf.constant(new int[] {-1, 1, -1}));
    return tf.reshape(last, tf.constant(new long[] {-1, width}));
  }
}
