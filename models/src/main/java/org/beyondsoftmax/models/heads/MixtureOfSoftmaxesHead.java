package org.beyondsoftmax.models;

import java.util.Optional;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * Mixture of Softmaxes (Yang et al. 2018, "Breaking the Softmax Bottleneck: A High-Rank RNN
 * Language Model"): p(.|h) = sum_k pi_k(h) softmax(g(W h_k + b)), with K component contexts
 * h_k = tanh(P_k h), prior pi(h) = softmax(U h), class embeddings W shared by the components, and
 * g the identity (MoS), the sigsoftmax gate (MoS over sigsoftmax, Kanai et al. 2018) or a
 * {@link Plif} shared by the components (MoS + PLIF, Ganea et al. 2019). Computed in log space
 * ({@link Mappings#logMixtureOfSoftmaxes}). Adds K d^2 + K d parameters to the linear head (and K
 * knots for PLIF); costs K softmaxes per row.
 */
public final class MixtureOfSoftmaxes<T extends TFloating> extends FullSupportHead<T> {
  public static final int DEFAULT_COMPONENTS = 4;
  public static final boolean DEFAULT_BIAS = true;

  /** What each component applies to its logits before its softmax. */
  public enum Component {
    SOFTMAX("mos"),
    SIGSOFTMAX("mos-sigsoftmax"),
    PLIF("mos-plif");

    /** The head's name in {@link Heads}. */
    public final String headName;

    Component(String headName) {
      this.headName = headName;
    }
  }

  private final int components;
  private final Component component;
  private final Dense<T> projections;
  private final Dense<T> prior;
  private final Dense<T> classes;
  private final Optional<Plif<T>> plif;

  /**
   * @param components K &gt;= 1
   * @param bias whether the class layer learns b
   * @param plif the PLIF settings, used (and shown in the spec) only for {@link Component#PLIF}
   */
  public MixtureOfSoftmaxes(
      HeadConfig<T> config, int components, boolean bias, Component component, PlifSettings plif) {
    super(config, spec(components, bias, component, plif));
    if (components < 1) {
      throw new IllegalArgumentException("components must be >= 1, got " + components);
    }
    int d = config.hiddenSize();
    this.components = components;
    this.component = component;
    this.projections = Dense.create(params, "projection", d, components * d, false);
    this.prior = Dense.create(params, "prior", d, components, false);
    this.classes = Dense.classes(params, bias, false);
    this.plif = component == Component.PLIF ? Optional.of(new Plif<>(params, plif)) : Optional.empty();
  }

  public MixtureOfSoftmaxes(HeadConfig<T> config, int components, Component component) {
    this(config, components, DEFAULT_BIAS, component, PlifSettings.DEFAULTS);
  }

  private static HeadSpec spec(int components, boolean bias, Component component, PlifSettings plif) {
    HeadSpec s = HeadSpec.of(component.headName)
        .withIfNot("components", components, DEFAULT_COMPONENTS)
        .withIfNot("bias", bias, DEFAULT_BIAS);
    return component == Component.PLIF ? plif.addTo(s) : s;
  }

  @Override
  protected Operand<T> scores(Ops tf, Operand<T> h) {
    int d = config.hiddenSize();
    Operand<T> contexts = tf.math.tanh(projections.apply(tf, h)); // [N, K d]
    Operand<T> z = classes.apply(tf, tf.reshape(contexts, tf.constant(new int[] {-1, d})));
    z = switch (component) {
      case SOFTMAX -> z;
      case SIGSOFTMAX -> Mappings.logSigsoftmax(tf, z);
      case PLIF -> plif.orElseThrow().apply(tf, z);
    };
    Operand<T> perComponent = tf.reshape(z, tf.constant(new int[] {-1, components, config.classes()}));
    return Mappings.logMixtureOfSoftmaxes(tf, perComponent, prior.apply(tf, h));
  }

  @Override
  public Optional<Operand<T>> classEmbeddings() {
    return Optional.of(classes.weights());
  }

  @Override
  public Optional<MonotoneFunction<T>> pointwiseFunction() {
    return plif.map(p -> p);
  }
}
