package org.beyondsoftmax.models.nn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TFloating;

/**
 * Dropout (Srivastava et al. 2014) whose masks are stateless random numbers: y = x * m / (1 - rate),
 * m ~ Bernoulli(1 - rate), in two forms:
 *
 * <ul>
 *   <li>{@link #locked}: one mask per sequence, shared by all time steps, for x [T, B, d]
 *       (variational or "locked" dropout, Gal &amp; Ghahramani 2016; Merity et al. 2018), the
 *       LSTM's;
 *   <li>{@link #apply}: one mask entry per element of x, any shape (the Transformer's dropout on
 *       embeddings and sub-layer outputs, Vaswani et al. 2017).
 * </ul>
 *
 * <p>The masks are keyed by (seed, 64 step + site): {@code step} is a counter the training step
 * reads (the optimizer's update count), {@code site} tells the places of one step apart. The same
 * seed, step and site give the same mask in any graph and process, which is what makes a resumed
 * or re-imported training run repeat an uninterrupted one.
 */
public final class Dropout<T extends TFloating> {
  /** Sites per step: the {@code site} of {@link #apply} and {@link #locked} must be in [0, SITES). */
  public static final int SITES = 64;

  private final double rate;
  private final long seed;
  private final Operand<TInt64> step;

  /**
   * @param rate in [0, 1); 0 makes {@link #apply} and {@link #locked} the identity
   * @param step int64 scalar, the training step (read through an Identity, not the variable)
   */
  public Dropout(double rate, long seed, Operand<TInt64> step) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("rate must be in [0, 1), got " + rate);
    }
    this.rate = rate;
    this.seed = seed;
    this.step = step;
  }

  public double rate() {
    return rate;
  }

  /** x [T, B, d] with one mask per (batch row, unit), drawn for {@code site}. */
  public Operand<T> locked(Ops tf, Operand<T> x, int site) {
    return dropout(tf, x, site, true);
  }

  /** x of any shape with one mask entry per element, drawn for {@code site}. */
  public Operand<T> apply(Ops tf, Operand<T> x, int site) {
    return dropout(tf, x, site, false);
  }

  private Operand<T> dropout(Ops tf, Operand<T> x, int site, boolean locked) {
    if (site < 0 || site >= SITES) {
      throw new IllegalArgumentException("site must be in [0, " + SITES + "), got " + site);
    }
    if (rate == 0) {
      return x;
    }
    Ops s = tf.withSubScope("dropout" + site);
    // the shape is read behind a StopGradient: no gradient path into the random op
    Operand<TInt64> shape = s.shape(s.stopGradient(x), TInt64.class);
    Operand<TInt64> maskShape = !locked ? shape : s.concat(List.of(s.constant(new long[] {1}),
        s.slice(shape, s.constant(new long[] {1}), s.constant(new long[] {2}))), s.constant(0));
    Operand<TInt64> key = s.stack(List.of(s.constant(seed),
        s.math.add(s.math.mul(step, s.constant((long) SITES)), s.constant((long) site))));
    Operand<T> u = s.random.statelessRandomUniform(maskShape, key, x.type());
    Operand<T> keep = s.dtypes.cast(s.constant(1 - rate), x.type());
    Operand<T> mask = s.math.div(s.math.floor(s.math.add(u, keep)), keep);
    return s.math.mul(x, mask);
  }
}
