package org.beyondsoftmax.models.lm;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.beyondsoftmax.models.attention.Transformer;
import org.beyondsoftmax.models.heads.HeadConfig;
import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.heads.OutputHead;
import org.beyondsoftmax.models.nn.Dropout;
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
 * A word-level language model: embedding [V, E] -&gt; a {@link Backbone} -&gt; any
 * {@link OutputHead} over the V words, built by name with {@link Heads#create}. The backbone is an
 * {@link Lstm} stack (1-8 layers of H units, its state carried between windows) or a causal
 * {@link Transformer} (1-8 pre-LayerNorm blocks of width D = E = H, learned positions, any
 * attention normaliser; no state: each window is its own context). With E = H the head can tie its
 * class embeddings to the input embedding ({@code softmax:tied=true}, Press &amp; Wolf 2017).
 *
 * <p>The model owns its variables (scope {@code lm}: {@code embedding} and the LSTM's, or the
 * Transformer's in {@code lm/transformer}; the head's in the head's scope) and can be applied any
 * number of times in one graph (training with dropout, inference without), every application
 * sharing them.
 */
public final class LanguageModel<T extends TFloating> {
  /**
   * The architecture.
   *
   * @param vocabulary V
   * @param embed E (the Transformer's must equal hidden)
   * @param hidden H, the LSTM's units per layer or the Transformer's width D
   * @param layers LSTM layers or Transformer blocks, in [1, 8]
   * @param head the output head, e.g. {@code Heads.parse("plif:knots=100000")}
   * @param seed initial values
   * @param backbone {@link Backbone#LSTM} or a {@link Backbone.Transformer}
   */
  public record Config(int vocabulary, int embed, int hidden, int layers, Spec<HeadFactory> head, long seed,
      Backbone backbone) {
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
      java.util.Objects.requireNonNull(backbone, "backbone");
      if (backbone instanceof Backbone.Transformer t) {
        if (embed != hidden) {
          throw new IllegalArgumentException("the Transformer adds its embeddings to its residual stream: embed must "
              + "equal hidden, got " + embed + " and " + hidden);
        }
        if (hidden % t.heads() != 0) {
          throw new IllegalArgumentException("the attention heads (" + t.heads() + ") must divide hidden (" + hidden
              + "): each head gets hidden / heads dimensions");
        }
      }
    }

    /** An LSTM language model. */
    public Config(int vocabulary, int embed, int hidden, int layers, Spec<HeadFactory> head, long seed) {
      this(vocabulary, embed, hidden, layers, head, seed, Backbone.LSTM);
    }
  }

  /**
   * The top layer's outputs as rows [T * B, H] (time-major: row t B + b) and the final state (the
   * LSTM's c0, h0, c1, h1, ...; none for the Transformer).
   */
  public record Forward<T extends TFloating>(Operand<T> hidden, List<Operand<T>> state) {
    public Forward {
      state = List.copyOf(state);
    }
  }

  private final Config config;
  private final Class<T> dtype;
  private final Operand<T> embedding;
  private final Lstm<T> lstm;
  private final Transformer<T> transformer;
  private final OutputHead<T> head;
  private final List<Parameter<T>> parameters = new ArrayList<>();

  public LanguageModel(Ops tf, Class<T> dtype, Config config) {
    this.config = config;
    this.dtype = dtype;
    Parameters<T> p = new Parameters<>(tf, dtype, config.seed(), "lm");
    this.embedding = p.uniform("embedding", Shape.of(config.vocabulary(), config.embed()), -0.1, 0.1);
    if (config.backbone() instanceof Backbone.Transformer t) {
      this.lstm = null;
      this.transformer = new Transformer<>(new Parameters<>(p.ops(), dtype, config.seed(), "transformer"),
          config.hidden(), config.layers(), t.heads(), t.positions(), t.attention());
      parameters.addAll(p.all());
      parameters.addAll(transformer.parameters());
    } else {
      this.lstm = new Lstm<>(p, config.embed(), config.hidden(), config.layers());
      this.transformer = null;
      parameters.addAll(p.all());
    }
    HeadConfig<T> hc = new HeadConfig<>(tf, dtype, config.hidden(), config.vocabulary(), config.seed());
    if (config.embed() == config.hidden()) {
      hc = hc.withTiedEmbedding(embedding);
    }
    this.head = Heads.create(config.head(), hc);
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

  /** The Transformer backbone (for its attention normalisers), if that is the backbone. */
  public Optional<Transformer<T>> transformer() {
    return Optional.ofNullable(transformer);
  }

  /** Every trained variable: embedding, backbone, head. */
  public List<Parameter<T>> parameters() {
    return List.copyOf(parameters);
  }

  /** The number of trained scalars. */
  public long parameterCount() {
    return parameters.stream().mapToLong(Parameter::size).sum();
  }

  /** The state tensors carried between windows: 2 L for the LSTM (c and h per layer), 0 for the Transformer. */
  public int stateTensors() {
    return lstm == null ? 0 : 2 * lstm.layers();
  }

  /** A zero state for {@code batch} rows (an int32 scalar): {@link #stateTensors()} tensors [B, H]. */
  public List<Operand<T>> zeroState(Ops tf, Operand<TInt32> batch) {
    return lstm == null ? List.of() : lstm.zeroState(tf, batch).flat();
  }

  /**
   * Runs the model over {@code ids} [B, T] (T static).
   *
   * @param weights [B, T] of 0/1 or null: a 0 leaves the LSTM state unchanged at that position; the
   *     Transformer masks it as a key and does not count it as a position
   * @param initial the state before the first position ({@link #stateTensors()} tensors)
   * @param dropout applied to the embeddings, and per backbone (the LSTM's locked between layers and
   *     to the top outputs; the Transformer's to each sub-layer's output); null for none
   */
  public Forward<T> forward(Ops tf, Operand<TInt32> ids, Operand<T> weights, List<Operand<T>> initial,
      Dropout<T> dropout) {
    Shape shape = ids.shape();
    if (shape.isUnknown() || shape.numDimensions() != 2 || shape.get(1) == Shape.UNKNOWN_SIZE) {
      throw new IllegalArgumentException("ids must have shape [B, T] with a static T, got " + shape);
    }
    if (initial.size() != stateTensors()) {
      throw new IllegalArgumentException(
          "initial must hold " + stateTensors() + " state tensors, got " + initial.size());
    }
    Ops s = tf.withSubScope("lm");
    if (transformer != null) {
      Operand<T> x = s.gather(embedding, ids, s.constant(0)); // [B, T, D]
      Operand<T> y = transformer.apply(s, x, weights, dropout);
      Operand<T> rows = s.reshape(s.linalg.transpose(y, s.constant(new int[] {1, 0, 2})),
          s.constant(new long[] {-1, config.hidden()}));
      return new Forward<>(rows, List.of());
    }
    Operand<T> x = s.gather(embedding, s.linalg.transpose(ids, s.constant(new int[] {1, 0})), s.constant(0));
    if (dropout != null) {
      x = dropout.locked(s, x, 0);
    }
    Operand<T> mask = weights == null ? null
        : s.expandDims(s.linalg.transpose(weights, s.constant(new int[] {1, 0})), s.constant(-1));
    Lstm.Output<T> out = lstm.apply(s, x, mask, Lstm.State.ofFlat(initial),
        dropout == null ? null : (in, layer) -> dropout.locked(s, in, layer));
    Operand<T> top = out.outputs();
    if (dropout != null) {
      top = dropout.locked(s, top, config.layers());
    }
    return new Forward<>(s.reshape(top, s.constant(new long[] {-1, config.hidden()})), out.state().flat());
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
