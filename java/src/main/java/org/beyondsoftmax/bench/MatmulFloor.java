package org.beyondsoftmax.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * The floor of a language model's training step: only its matrix products, forward and backward
 * (each product's two gradient products), at the step's shapes: per LSTM layer the input
 * projection of all T steps at once [T B, in] x [in, 4H] and T recurrent products [B, H] x
 * [H, 4H], then the output layer [T B, H] x [H, V]. Everything else the step does (gates,
 * softmax, the head's own work, the update) is what a head's ratio to this floor shows.
 */
public final class MatmulFloor extends GraphStep {
  private final String setting;

  private MatmulFloor(String setting, Graph graph, Session session, List<Operand<?>> fetches) {
    super(graph, session, Map.of(), fetches);
    this.setting = setting;
  }

  /** The floor of a step with these sizes (V, E, H, L layers, T steps, B rows). */
  public static MatmulFloor build(int vocabulary, int embed, int hidden, int layers, int steps, int batch,
      long seed) {
    Graph graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      List<Operand<TFloat32>> wrt = new ArrayList<>();
      Operand<TFloat32> objective = null;
      int in = embed;
      for (int l = 0; l < layers; l++) {
        Operand<TFloat32> x = variable(tf, wrt, seed + 10 * l, steps * batch, in);
        Operand<TFloat32> wx = variable(tf, wrt, seed + 10 * l + 1, in, 4 * hidden);
        Operand<TFloat32> wh = variable(tf, wrt, seed + 10 * l + 2, hidden, 4 * hidden);
        objective = add(tf, objective, tf.linalg.matMul(x, wx));
        for (int t = 0; t < steps; t++) {
          Operand<TFloat32> h = variable(tf, wrt, seed + 1000 * (l + 1) + t, batch, hidden);
          objective = add(tf, objective, tf.linalg.matMul(h, wh));
        }
        in = hidden;
      }
      Operand<TFloat32> top = variable(tf, wrt, seed + 7, steps * batch, hidden);
      Operand<TFloat32> classes = variable(tf, wrt, seed + 8, vocabulary, hidden);
      objective = add(tf, objective, tf.linalg.matMul(top, classes, MatMul.transposeB(true)));
      List<Operand<?>> fetches = List.copyOf(tf.gradients(objective, wrt).dy());
      Session session = new Session(graph);
      session.initialize();
      return new MatmulFloor(String.format("V=%d E=%d H=%d L=%d T=%d B=%d", vocabulary, embed, hidden,
          layers, steps, batch), graph, session, fetches);
    } catch (RuntimeException | Error e) {
      graph.close();
      throw e;
    }
  }

  /** A random variable [rows, cols], read once (its value does not matter for the timing). */
  private static Operand<TFloat32> variable(Ops tf, List<Operand<TFloat32>> wrt, long seed, int rows, int cols) {
    Ops init = tf.withInitScope();
    Operand<TFloat32> value = init.random.statelessRandomNormal(init.constant(new int[] {rows, cols}),
        init.constant(new long[] {seed, 1}), TFloat32.class);
    Operand<TFloat32> v = tf.identity(tf.variable(value));
    wrt.add(v);
    return v;
  }

  /** The running objective plus the sum of {@code product} (whose gradient is its products'). */
  private static Operand<TFloat32> add(Ops tf, Operand<TFloat32> sum, Operand<TFloat32> product) {
    Operand<TFloat32> s = tf.reduceSum(product, tf.constant(new int[] {0, 1}));
    return sum == null ? s : tf.math.add(sum, s);
  }

  @Override
  public String name() {
    return "matmul_floor";
  }

  @Override
  public String setting() {
    return setting;
  }
}
