package org.beyondsoftmax.models.nn;

import java.util.List;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;

/**
 * A model part built from a typed {@link Spec} (an output head, an attention normaliser): the
 * check that the spec is of a kind the class builds, the spec itself, and the part's variables,
 * created in the sub-scope named after the spec.
 *
 * @param <T> the variables' dtype
 * @param <F> the factory type of the registry the spec comes from
 */
public abstract class SpecifiedPart<T extends TFloating, F> {
  protected final Parameters<T> params;
  private final Spec<F> spec;

  /**
   * @param tf the graph; the variables go in the sub-scope {@code spec.name()}
   * @param dtype the variables' dtype
   * @param seed keys the variables' initial values
   * @param kinds the kinds this class builds; {@code spec} must be of one of them
   */
  protected SpecifiedPart(Ops tf, Class<T> dtype, long seed, Spec<F> spec, List<Kind<F>> kinds) {
    if (!kinds.contains(spec.kind())) {
      throw new IllegalArgumentException("spec '" + spec + "' is not a spec of "
          + (kinds.size() == 1 ? kinds.get(0) : kinds));
    }
    this.spec = spec.checked();
    this.params = new Parameters<>(tf, dtype, seed, spec.name());
  }

  /** The spec this part was built from (with every option's value). */
  public final Spec<F> spec() {
    return spec;
  }

  /** The part's variables. */
  public final List<Parameter<T>> parameters() {
    return params.all();
  }

  @Override
  public String toString() {
    return spec.toString();
  }
}
