package org.beyondsoftmax.models.lm;

import java.util.ArrayList;
import java.util.List;
import org.beyondsoftmax.models.heads.HeadConfig;
import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.heads.OutputHead;
import org.beyondsoftmax.models.nn.LockedDropout;
import org.beyondsoftmax.models.nn.Lstm;
import org.beyondsoftmax.models.nn.Parameter;
import org.beyondsoftmax.models.nn.Parameters;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TType;

/**
 * A word-level recurrent language model: embedding [V, E] -&gt; {@link Lstm} (1-2 layers of H
 * units) -&gt; any {@link OutputHead} over the V words, built by name with {@link Heads#create}.
 * With E = H the head can tie its class embeddings to the input embedding
 * ({@code softmax:tied=true}, Press &amp; Wolf 2017).
 *
 * <p>The model owns its variables (scope {@code lm}: {@code embedding} and the LSTM's; the head's
 * in the head's scope) and can be applied any number of times in one graph (training with
 * dropout, inference without), every application sharing them.
 */
public final class LanguageModel<T extends TFloating> {
  /**
   * The architecture.
   *
   * @param vocabulary V
   * @param embed E
   * @param hidden H
   * @param layers LSTM layers (&gt;= 1)
   * @param head the output head, e.g. {@code Heads.parse("plif:knots=100000")}
   * @param seed initial values
   */
  public record Config(int vocabulary, int embed, int hidden, int layers, Spec<HeadFactory> head, long seed) {
    public Config {
      if (vocabulary < 2) {
        throw new IllegalArgumentException("vocabulary must be >= 2, got " + vocabulary);
      }
      if (embed < 1 || hidden < 1) {
        throw new IllegalArgumentException("embed and hidden must be >= 1, got " + embed + ", " + hidden);
      }
      if (layers < 1 || layers > 8) {
        throw new IllegalArgumentException("layers must be in [1, 8], got " + layers);
      }
      java.util.Objects.requireNonNull(head, "head");
    }
  }

  /** The top layer's outputs as rows [T * B, H] (time-major: row t B + b) and the final state. */
  public record Forward<T extends TFloating>(Operand<T> hidden, Lstm.State<T> state) {}

  private final Config config;
  private final Class<T> dtype;
  private final Operand<T> embedding;
  private final Lstm<T> lstm;
  private final OutputHead<T> head;
  private final List<Parameter<T>> parameters = new ArrayList<>();

  public LanguageModel(Ops tf, Class<T> dtype, Config config) {
    this.config = config;
    this.dtype = dtype;
    Parameters<T> p = new Parameters<>(tf, dtype, config.seed(), "lm");
    this.embedding = p.uniform("embedding", Shape.of(config.vocabulary(), config.embed()), -0.1, 0.1);
    this.lstm = new Lstm<>(p, config.embed(), config.hidden(), config.layers());
    HeadConfig<T> hc = new HeadConfig<>(tf, dtype, config.hidden(), config.vocabulary(), config.seed());
    if (config.embed() == config.hidden()) {
      hc = hc.withTiedEmbedding(embedding);
    }
    this.head = Heads.create(config.head(), hc);
    parameters.addAll(p.all());
    parameters.addAll(head.parameters());
  }

  public Config config() {
    return config;
  }

  public Class<T> dtype() {
    return dtype;
  }

  public OutputHead<T> head() {
    return head;
  }

  public Lstm<T> lstm() {
    return lstm;
  }

  /** The input embedding [V, E] (read through an Identity). */
  public Operand<T> embedding() {
    return embedding;
  }

  /** Every trained variable: embedding, LSTM, head. */
  public List<Parameter<T>> parameters() {
    return List.copyOf(parameters);
  }

  /** The number of trained scalars. */
  public long parameterCount() {
    return parameters.stream().mapToLong(Parameter::size).sum();
  }

  /**
   * Runs the model over {@code ids} [B, T] (T static).
   *
   * @param weights [B, T] of 0/1 or null: a 0 leaves the state unchanged at that position
   * @param initial the state before the first position
   * @param dropout applied (per sequence) to the embeddings, between layers and to the top
   *     outputs; null for none
   */
  public Forward<T> forward(Ops tf, Operand<TInt32> ids, Operand<T> weights, Lstm.State<T> initial,
      LockedDropout<T> dropout) {
    Shape shape = ids.shape();
    if (shape.isUnknown() || shape.numDimensions() != 2 || shape.get(1) == Shape.UNKNOWN_SIZE) {
      throw new IllegalArgumentException("ids must have shape [B, T] with a static T, got " + shape);
    }
    Ops s = tf.withSubScope("lm");
    Operand<T> x = s.gather(embedding, s.linalg.transpose(ids, s.constant(new int[] {1, 0})), s.constant(0));
    if (dropout != null) {
      x = dropout.apply(s, x, 0);
    }
    Operand<T> mask = weights == null ? null
        : s.expandDims(s.linalg.transpose(weights, s.constant(new int[] {1, 0})), s.constant(-1));
    Lstm.Output<T> out = lstm.apply(s, x, mask, initial,
        dropout == null ? null : (in, layer) -> dropout.apply(s, in, layer));
    Operand<T> top = out.outputs();
    if (dropout != null) {
      top = dropout.apply(s, top, config.layers());
    }
    return new Forward<>(s.reshape(top, s.constant(new long[] {-1, config.hidden()})), out.state());
  }

  /** [B, T] as the time-major rows of {@link Forward#hidden}: transposed and flattened, [T * B]. */
  public static <X extends TType> Operand<X> timeMajor(Ops tf, Operand<X> x) {
    return tf.reshape(tf.linalg.transpose(x, tf.constant(new int[] {1, 0})), tf.constant(new long[] {-1}));
  }

  /** The inverse of {@link #timeMajor} for per-row values [T * B] of a batch of T steps: [B, T]. */
  public static <X extends TType> Operand<X> batchMajor(Ops tf, Operand<X> rows, int steps) {
    return tf.linalg.transpose(tf.reshape(rows, tf.constant(new long[] {steps, -1})), tf.constant(new int[] {1, 0}));
  }
}
