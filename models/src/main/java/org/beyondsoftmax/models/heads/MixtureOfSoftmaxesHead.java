package org.beyondsoftmax.models.heads;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.beyondsoftmax.models.nn.Dense;
import org.beyondsoftmax.models.nn.MonotoneFunction;
import org.beyondsoftmax.models.nn.PlifFunction;
import org.beyondsoftmax.models.nn.PlifSettings;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Option;
import org.beyondsoftmax.models.spec.Spec;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Mixture of Softmaxes (Yang et al. 2018, "Breaking the Softmax Bottleneck: A High-Rank RNN
 * Language Model"): p(.|h) = sum_k pi_k(h) softmax(g(W h_k + b)), with K component contexts
 * h_k = tanh(P_k h), prior pi(h) = softmax(U h), class embeddings W shared by the components, and
 * g the identity ({@code mos}), the sigsoftmax gate ({@code mos-sigsoftmax}, Kanai et al. 2018) or
 * a {@link PlifFunction} shared by the components ({@code mos-plif}, Ganea et al. 2019). Computed in
 * log space ({@link Mappings#logMixtureOfSoftmaxes}). Adds K d^2 + K d parameters to the linear
 * head (and K knots for PLIF); costs K softmaxes per row.
 *
 * <p>With {@code tanh=false} the contexts are linear, h_k = P_k h. The mixture still breaks the
 * rank bound (log p is a log-sum-exp of K linear maps, not one linear map; the paper's argument
 * needs no nonlinearity in the contexts), and it trains much faster early on: on Brown with
 * d = 32, after 250 steps, K = 1 reaches a validation perplexity of 481.7 with linear contexts and
 * 538.8 with tanh (softmax: 489.0), and K = 3 reaches 477.8 against 566.1. Bounded contexts leave
 * the logits' scale to W alone. Yang et al.'s tanh stays the default; see the README's Brown
 * experiments.
 */
public final class MixtureOfSoftmaxesHead<T extends TFloating> extends FullSupportHead<T> {
  /** K, the number of softmax components. */
  public static final Option<Integer> COMPONENTS =
      Option.integer("components", 4, 1, "K, the number of softmax components");
  /** Whether the component contexts are tanh(P_k h) (Yang et al.) or linear, P_k h. */
  public static final Option<Boolean> TANH =
      Option.flag("tanh", true, "contexts tanh(P_k h) as in Yang et al.; false: linear P_k h");
  public static final Kind<HeadFactory> MOS = Kind.of("mos",
      "mixture of softmaxes (Yang et al. 2018)", List.of(COMPONENTS, HeadOptions.BIAS, TANH),
      MixtureOfSoftmaxesHead::new);
  public static final Kind<HeadFactory> MOS_SIGSOFTMAX = Kind.of("mos-sigsoftmax",
      "mixture of sigsoftmaxes (Kanai et al. 2018)", List.of(COMPONENTS, HeadOptions.BIAS, TANH),
      MixtureOfSoftmaxesHead::new);
  public static final Kind<HeadFactory> MOS_PLIF = Kind.of("mos-plif",
      "mixture of softmaxes over one shared PLIF (Ganea et al. 2019)", plifOptions(),
      MixtureOfSoftmaxesHead::new);
  private static final List<Kind<HeadFactory>> KINDS = List.of(MOS, MOS_SIGSOFTMAX, MOS_PLIF);

  private static List<Option<?>> plifOptions() {
    List<Option<?>> o = new ArrayList<>(List.of(COMPONENTS, HeadOptions.BIAS, TANH));
    o.addAll(HeadOptions.PLIF);
    return o;
  }

  private final int components;
  private final Dense<T> projections;
  private final Dense<T> prior;
  private final Optional<PlifFunction<T>> plif;

  /** @param spec of {@link #MOS}, {@link #MOS_SIGSOFTMAX} or {@link #MOS_PLIF} */
  public MixtureOfSoftmaxesHead(HeadConfig<T> config, Spec<HeadFactory> spec) {
    super(config, spec, KINDS);
    int d = config.hiddenSize();
    this.components = spec.get(COMPONENTS);
    this.projections = Dense.create(params, "projection", d, components * d, false);
    this.prior = Dense.create(params, "prior", d, components, false);
    classLayer(spec.get(HeadOptions.BIAS), false);
    this.plif = spec.kind() == MOS_PLIF
        ? Optional.of(new PlifFunction<>(params, HeadOptions.plif(spec))) : Optional.empty();
  }

  /** A mixture of {@code components} softmaxes (kind {@link #MOS}). */
  public MixtureOfSoftmaxesHead(HeadConfig<T> config, int components, boolean bias) {
    this(config, MOS.spec().with(COMPONENTS, components).with(HeadOptions.BIAS, bias));
  }

  /** A mixture of {@code components} softmaxes over one shared PLIF (kind {@link #MOS_PLIF}). */
  public MixtureOfSoftmaxesHead(HeadConfig<T> config, int components, boolean bias, PlifSettings plif) {
    this(config, HeadOptions.withPlif(MOS_PLIF.spec(), plif).with(COMPONENTS, components)
        .with(HeadOptions.BIAS, bias));
  }

  @Override
  protected Operand<T> scores(Ops tf, Operand<T> h) {
    int d = config.hiddenSize();
    Operand<T> projected = projections.apply(tf, h); // [N, K d]
    Operand<T> contexts = spec().get(TANH) ? tf.math.tanh(projected) : projected;
    Operand<T> z = logits(tf, tf.reshape(contexts, tf.constant(new int[] {-1, d})));
    if (spec().kind() == MOS_SIGSOFTMAX) {
      z = Mappings.logSigsoftmax(tf, z);
    } else if (plif.isPresent()) {
      z = plif.get().apply(tf, z);
    }
    Operand<T> perComponent = tf.reshape(z, tf.constant(new int[] {-1, components, config.classes()}));
    return Mappings.logMixtureOfSoftmaxes(tf, perComponent, prior.apply(tf, h));
  }


  @Override
  public Optional<MonotoneFunction<T>> pointwiseFunction() {
    return plif.map(p -> p);
  }
}
