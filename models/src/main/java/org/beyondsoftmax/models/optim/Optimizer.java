package org.beyondsoftmax.models.optim;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TInt64;
import org.beyondsoftmax.models.nn.Parameter;
import org.tensorflow.types.family.TFloating;

/**
 * The optimisers of this project, SGD and Adam (Kingma &amp; Ba 2015), written once, with
 * gradient-norm clipping and a learning rate that is a constant or a tensor held in the graph.
 *
 * <p>Deterministic: one step computes the loss, every gradient and whatever else it must read
 * first, and only then applies the updates in place (ApplyGradientDescent, ApplyAdam on the
 * VariableV2s), so no update races with a computation that still reads a variable. (The Adam of
 * tensorflow-framework reads its beta powers without ordering them against their update.)
 *
 * <p>Clipping (Pascanu et al. 2013): with n = sqrt(sum_i |g_i|^2) over all parameters, every
 * gradient is scaled by c / max(n, c). Per parameter with learning-rate multiplier r, at update t
 * (the counter after the step): SGD theta -= r lr g; Adam m = b1 m + (1 - b1) g,
 * v = b2 v + (1 - b2) g^2, theta -= r lr sqrt(1 - b2^t)/(1 - b1^t) m/(sqrt(v) + eps).
 */
public final class Optimizer {
  /** The update rule. */
  public enum Kind { SGD, ADAM }

  /**
   * @param clipNorm c, the largest global gradient norm (0 or less: no clipping)
   */
  public record Settings(Kind kind, double clipNorm, double beta1, double beta2, double epsilon) {
    public Settings {
      if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
        throw new IllegalArgumentException("beta1 and beta2 must be in [0, 1), got " + beta1 + ", " + beta2);
      }
      if (!(epsilon > 0)) {
        throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
      }
      if (Double.isNaN(clipNorm)) {
        throw new IllegalArgumentException("clipNorm must be a number, got NaN");
      }
    }

    /** {@code kind} with the usual Adam constants (0.9, 0.999, 1e-8). */
    public static Settings of(Kind kind, double clipNorm) {
      return new Settings(kind, clipNorm, 0.9, 0.999, 1e-8);
    }

    /** Adam with b1 = 0.9, b2 = 0.999, eps = 1e-8 and no clipping. */
    public static Settings adam() {
      return of(Kind.ADAM, 0);
    }
  }

  /** The update op, the global gradient norm before clipping, and the new update count. */
  public record Step<T extends TFloating>(Op update, Operand<T> gradientNorm, Operand<TInt64> count) {}

  private Optimizer() {}

  /**
   * One step minimising {@code loss} (a scalar) over {@code params} at the constant base rate
   * {@code learningRate}, counting its updates in a variable of its own ({@code optimizer/step}).
   */
  public static <T extends TFloating> Step<T> minimize(
      Ops tf, Operand<T> loss, List<Parameter<T>> params, double learningRate, Settings settings) {
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learningRate must be finite and > 0, got " + learningRate);
    }
    Variable<TInt64> counter = Slots.zeros(tf.withSubScope("optimizer"), "step", Shape.scalar(), TInt64.class);
    return minimize(tf, loss, params, new Rate<>(learningRate, null), counter, settings, List.of());
  }

  /**
   * The op that runs one step minimising {@code loss} (a scalar) over {@code params}.
   *
   * @param learningRate the base rate, a scalar of the loss's dtype (e.g. a variable's read)
   * @param counter an int64 scalar variable counting updates: incremented by each step after the
   *     gradients, it gives Adam its step number (and dropout its key, see {@link org.beyondsoftmax.models.nn.Dropout})
   * @param before tensors the step must finish computing before it updates anything (e.g. the
   *     recurrent state carried to the next batch)
   */
  public static <T extends TFloating> Step<T> minimize(Ops tf, Operand<T> loss, List<Parameter<T>> params,
      Operand<T> learningRate, Variable<TInt64> counter, Settings settings, List<? extends Operand<?>> before) {
    return minimize(tf, loss, params, new Rate<>(0, learningRate), counter, settings, before);
  }

  /** The base learning rate: a constant, or a tensor when {@code tensor} is not null. */
  private record Rate<T extends TFloating>(double constant, Operand<T> tensor) {
    /** The rate of a parameter with multiplier r: (lr r) as one constant, or lr * r. */
    Operand<T> of(Ops tf, Operand<T> lr, double r, Class<T> type) {
      if (tensor == null) {
        return cast(tf, constant * r, type);
      }
      return r == 1 ? lr : tf.math.mul(lr, cast(tf, r, type));
    }
  }

  private static <T extends TFloating> Step<T> minimize(Ops tf, Operand<T> loss, List<Parameter<T>> params,
      Rate<T> rate, Variable<TInt64> counter, Settings settings, List<? extends Operand<?>> before) {
    if (params.isEmpty()) {
      throw new IllegalArgumentException("params must not be empty");
    }
    if (loss.shape().numDimensions() != 0) {
      throw new IllegalArgumentException("loss must be a scalar, got shape " + loss.shape());
    }
    Ops s = tf.withSubScope("optimizer");
    Class<T> type = loss.type();
    List<Operand<?>> variables = new ArrayList<>();
    params.forEach(p -> variables.add(p.variable()));
    Gradients grads = s.gradients(loss, variables);
    List<Operand<T>> g = new ArrayList<>();
    Operand<T> squares = null;
    for (int i = 0; i < params.size(); i++) {
      @SuppressWarnings("unchecked")
      Operand<T> dy = (Operand<T>) (Operand<?>) grads.dy(i);
      g.add(dy);
      Operand<T> sq = s.reduceSum(s.math.square(dy), s.range(s.constant(0), s.rank(dy), s.constant(1)));
      squares = squares == null ? sq : s.math.add(squares, sq);
    }
    Operand<T> norm = s.withName("gradient_norm").math.sqrt(squares);
    if (settings.clipNorm() > 0) {
      Operand<T> c = cast(s, settings.clipNorm(), type);
      Operand<T> scale = s.math.div(c, s.math.maximum(norm, c));
      g.replaceAll(gi -> s.math.mul(gi, scale));
    }
    List<Op> ready = new ArrayList<>();
    List<Operand<T>> gReady = new ArrayList<>();
    for (Operand<T> gi : g) {
      var id = s.identity(gi);
      gReady.add(id);
      ready.add(id);
    }
    ready.add(s.identity(loss));
    if (settings.clipNorm() > 0) {
      ready.add(s.identity(norm));
    }
    for (Operand<?> b : before) {
      ready.add(s.identity(b));
    }
    Ops after = s.withControlDependencies(ready);
    Operand<TInt64> count = after.assignAdd(counter, s.constant(1L));
    Operand<T> lr = rate.tensor() == null ? null : s.identity(rate.tensor());
    List<Op> updates = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      Parameter<T> p = params.get(i);
      Operand<T> rateOf = rate.of(after, lr, p.learningRateMultiplier(), type);
      if (settings.kind() == Kind.SGD) {
        updates.add(after.train.applyGradientDescent(p.variable(), rateOf, gReady.get(i)));
      } else {
        Operand<T> t = after.dtypes.cast(count, type);
        Operand<T> b1 = cast(s, settings.beta1(), type);
        Operand<T> b2 = cast(s, settings.beta2(), type);
        Shape shape = p.variable().shape();
        String name = p.variable().op().name();
        updates.add(after.train.applyAdam(p.variable(), Slots.zeros(s, slotName(name, "m"), shape, type),
            Slots.zeros(s, slotName(name, "v"), shape, type), after.math.pow(b1, t), after.math.pow(b2, t), rateOf, b1, b2,
            cast(s, settings.epsilon(), type), gReady.get(i)));
      }
    }
    return new Step<>(s.withControlDependencies(updates).noOp(), norm, count);
  }

  /**
   * The name, inside the optimizer's scope, of the state {@code slot} ({@code m} or {@code v} for
   * Adam) of the variable named {@code variable}: e.g. {@code lm_embedding_m}.
   */
  public static String slotName(String variable, String slot) {
    return variable.replace('/', '_') + "_" + slot;
  }

  private static <T extends TFloating> Operand<T> cast(Ops tf, double value, Class<T> type) {
    return tf.dtypes.cast(tf.constant(value), type);
  }
}
