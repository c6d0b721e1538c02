package org.beyondsoftmax.models.nn;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;

/**
 * A stack of LSTM layers (Hochreiter &amp; Schmidhuber 1997, with forget gate, no peepholes) built
 * from basic ops and unrolled over a static number of time steps, so that TensorFlow's C++
 * gradients cover it (BlockLSTM has no gradient in TF-Java). Per layer and step t, with x_t the
 * layer's input [B, in] and (c, h) its state [B, H]:
 *
 * <pre>
 *   [i f g o] = x_t Wx + h Wh + b            (Wx [in, 4H], Wh [H, 4H], b [4H])
 *   c' = sigmoid(f) c + sigmoid(i) tanh(g),   h' = sigmoid(o) tanh(c')
 *   (c, h) = (c, h) + m_t ((c', h') - (c, h))  (mask m_t [B, 1] in {0, 1}: 0 keeps the state)
 * </pre>
 *
 * x Wx is computed for all steps in one MatMul; only h Wh is per step. The mask lets padded
 * positions (a left-padded prompt, a short final batch) leave the state unchanged. Initial values
 * (PyTorch's): uniform(-1/sqrt(H), 1/sqrt(H)) weights and biases, plus 1 on the forget gate's bias
 * (Jozefowicz et al. 2015).
 */
public final class Lstm<T extends TFloating> {
  /** The state of every layer: c and h [B, H] per layer, bottom layer first. */
  public record State<T extends TFloating>(List<Operand<T>> c, List<Operand<T>> h) {
    public State {
      if (c.size() != h.size() || c.isEmpty()) {
        throw new IllegalArgumentException("c and h must list one [B, H] tensor per layer, got "
            + c.size() + " and " + h.size());
      }
      c = List.copyOf(c);
      h = List.copyOf(h);
    }

    public int layers() {
      return c.size();
    }

    /** c0, h0, c1, h1, ...: the order of the state's tensors in feeds, fetches and files. */
    public List<Operand<T>> flat() {
      List<Operand<T>> out = new ArrayList<>();
      for (int l = 0; l < c.size(); l++) {
        out.add(c.get(l));
        out.add(h.get(l));
      }
      return out;
    }

    /** The inverse of {@link #flat}. */
    public static <T extends TFloating> State<T> ofFlat(List<? extends Operand<T>> flat) {
      if (flat.size() % 2 != 0 || flat.isEmpty()) {
        throw new IllegalArgumentException("flat must hold c and h per layer, got " + flat.size() + " tensors");
      }
      List<Operand<T>> c = new ArrayList<>();
      List<Operand<T>> h = new ArrayList<>();
      for (int i = 0; i < flat.size(); i += 2) {
        c.add(flat.get(i));
        h.add(flat.get(i + 1));
      }
      return new State<>(c, h);
    }
  }

  /** The top layer's outputs [T, B, H] (time-major) and the final state. */
  public record Output<T extends TFloating>(Operand<T> outputs, State<T> state) {}

  /** What happens between layers (dropout in training): the input of layer l &gt; 0, [T, B, H]. */
  @FunctionalInterface
  public interface Between<T extends TFloating> {
    Operand<T> apply(Operand<T> x, int layer);
  }

  private record Layer<T extends TFloating>(Operand<T> kernelX, Operand<T> kernelH, Operand<T> bias, int input) {}

  private final Parameters<T> params;
  private final List<Layer<T>> layers = new ArrayList<>();
  private final int hidden;

  /**
   * Creates the variables {@code layerL_kernel_x}, {@code layerL_kernel_h}, {@code layerL_bias}.
   *
   * @param params where the variables go (their scope and seed)
   * @param input the size of x_t
   * @param hidden H
   * @param layers &gt;= 1
   */
  public Lstm(Parameters<T> params, int input, int hidden, int layers) {
    if (input < 1 || hidden < 1) {
      throw new IllegalArgumentException("input and hidden must be >= 1, got " + input + ", " + hidden);
    }
    if (layers < 1) {
      throw new IllegalArgumentException("layers must be >= 1, got " + layers);
    }
    this.params = params;
    this.hidden = hidden;
    double r = 1 / Math.sqrt(hidden);
    for (int l = 0; l < layers; l++) {
      int in = l == 0 ? input : hidden;
      String p = "layer" + l + "_";
      Operand<T> wx = params.uniform(p + "kernel_x", Shape.of(in, 4L * hidden), -r, r);
      Operand<T> wh = params.uniform(p + "kernel_h", Shape.of(hidden, 4L * hidden), -r, r);
      Operand<T> b = params.variable(p + "bias", 1.0, i -> {
        Operand<T> u = i.math.add(i.math.mul(
                i.random.statelessRandomUniform(i.constant(Shape.of(4L * hidden)), params.seed(i, p + "bias"),
                    params.dtype()),
                params.scalar(i, 2 * r)),
            params.scalar(i, -r));
        float[] forget = new float[4 * hidden];
        for (int j = hidden; j < 2 * hidden; j++) {
          forget[j] = 1;
        }
        return i.math.add(u, i.dtypes.cast(i.constant(forget), params.dtype()));
      });
      this.layers.add(new Layer<>(wx, wh, b, in));
    }
  }

  public int hiddenSize() {
    return hidden;
  }

  public int layers() {
    return layers.size();
  }

  /**
   * Runs the stack over {@code x} [T, B, in] (T static).
   *
   * @param mask [T, B, 1] of 0/1, or null for all ones
   * @param initial the state before step 0
   * @param between applied to each layer's output before the next layer (not after the top one)
   */
  public Output<T> apply(Ops tf, Operand<T> x, Operand<T> mask, State<T> initial, Between<T> between) {
    Shape shape = x.shape();
    if (shape.isUnknown() || shape.numDimensions() != 3 || shape.get(0) == Shape.UNKNOWN_SIZE
        || shape.get(2) != layers.get(0).input()) {
      throw new IllegalArgumentException("x must have shape [T, B, " + layers.get(0).input()
          + "] with a static T, got " + shape);
    }
    if (initial.layers() != layers.size()) {
      throw new IllegalArgumentException("initial must hold " + layers.size() + " layers, got " + initial.layers());
    }
    int steps = (int) shape.get(0);
    Ops s = tf.withSubScope("lstm");
    List<? extends Operand<T>> masks = mask == null ? null
        : s.unstack(mask, (long) steps, Unstack.axis(0L)).output();
    List<Operand<T>> c = new ArrayList<>();
    List<Operand<T>> h = new ArrayList<>();
    Operand<T> input = x;
    for (int l = 0; l < layers.size(); l++) {
      Layer<T> layer = layers.get(l);
      Ops ls = s.withSubScope("layer" + l);
      if (l > 0 && between != null) {
        input = between.apply(input, l);
      }
      // x Wx + b for every step at once: [T * B, in] [in, 4H] -> [T, B, 4H]
      Operand<T> flat = ls.reshape(input, ls.constant(new long[] {-1, layer.input()}));
      Operand<T> projected = ls.reshape(ls.math.add(ls.linalg.matMul(flat, layer.kernelX()), layer.bias()),
          ls.constant(new long[] {steps, -1, 4L * hidden}));
      List<? extends Operand<T>> xw = ls.unstack(projected, (long) steps, Unstack.axis(0L)).output();
      Operand<T> ct = initial.c().get(l);
      Operand<T> ht = initial.h().get(l);
      List<Operand<T>> outputs = new ArrayList<>(steps);
      for (int t = 0; t < steps; t++) {
        Ops st = ls.withSubScope("t" + t);
        Operand<T> z = st.math.add(xw.get(t), st.linalg.matMul(ht, layer.kernelH()));
        List<? extends Operand<T>> gates = st.split(st.constant(1), z, 4L).output();
        Operand<T> cNew = st.math.add(
            st.math.mul(st.math.sigmoid(gates.get(1)), ct),
            st.math.mul(st.math.sigmoid(gates.get(0)), st.math.tanh(gates.get(2))));
        Operand<T> hNew = st.math.mul(st.math.sigmoid(gates.get(3)), st.math.tanh(cNew));
        if (masks != null) {
          Operand<T> m = masks.get(t);
          cNew = st.math.add(ct, st.math.mul(m, st.math.sub(cNew, ct)));
          hNew = st.math.add(ht, st.math.mul(m, st.math.sub(hNew, ht)));
        }
        ct = cNew;
        ht = hNew;
        outputs.add(ht);
      }
      c.add(ct);
      h.add(ht);
      input = ls.stack(outputs, Stack.axis(0L));
    }
    return new Output<>(input, new State<>(c, h));
  }

  /** A zero state for a batch of {@code batch} [] (int32 scalar, e.g. from a shape). */
  public State<T> zeroState(Ops tf, Operand<TInt32> batch) {
    List<Operand<T>> c = new ArrayList<>();
    List<Operand<T>> h = new ArrayList<>();
    Operand<TInt32> dims = tf.stack(List.of(batch, tf.constant(hidden)));
    for (int l = 0; l < layers.size(); l++) {
      c.add(tf.zeros(dims, params.dtype()));
      h.add(tf.zeros(dims, params.dtype()));
    }
    return new State<>(c, h);
  }
}
