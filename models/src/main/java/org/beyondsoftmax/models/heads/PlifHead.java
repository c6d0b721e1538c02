package org.beyondsoftmax.models.heads;

import java.util.ArrayList;
import java.util.List;
import org.beyondsoftmax.models.nn.PlifFunction;
import org.beyondsoftmax.models.nn.PlifSettings;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Option;
import org.beyondsoftmax.models.spec.Spec;
import org.beyondsoftmax.ops.Losses;
import org.tensorflow.Operand;
import org.tensorflow.types.family.TIntegral;
import org.tensorflow.types.family.TFloating;

/**
 * LMS-PLIF (Ganea et al. 2019, "Breaking the Softmax Bottleneck via Learnable Monotonic Pointwise
 * Non-linearities", section 4): p = softmax(f(W h + b)) with f the piecewise-linear increasing
 * function {@link PlifFunction} (K knots on [-T, T], default K = 100,000, T = 20). Adds K
 * parameters.
 */
public final class PlifHead<T extends TFloating> extends LmsHead<T> {
  public static final Kind<HeadFactory> KIND = Kind.of("plif",
      "LMS-PLIF: learned piecewise-linear increasing function before softmax (Ganea et al. 2019)",
      options(), PlifHead::new);

  private static List<Option<?>> options() {
    List<Option<?>> o = new ArrayList<>(HeadOptions.PLIF);
    o.add(HeadOptions.BIAS);
    return o;
  }

  public PlifHead(HeadConfig<T> config, Spec<HeadFactory> spec) {
    super(config, spec, KIND, p -> new PlifFunction<>(p, HeadOptions.plif(spec)));
  }

  /**
   * Cross-entropy of f(z) in one op ({@link Losses#plifCrossEntropy}: a fused CPU kernel when
   * loaded, else exactly the composite cross-entropy of the PLIF).
   */
  @Override
  public Operand<T> loss(Operand<T> h, Operand<? extends TIntegral> labels) {
    Call<T> c = call("loss", h);
    PlifFunction<T> f = (PlifFunction<T>) pointwiseFunction().orElseThrow();
    return Losses.plifCrossEntropy(c.tf(), logits(c.tf(), c.h()), labels, f.slopesRaw(), f.range());
  }

  public PlifHead(HeadConfig<T> config, PlifSettings plif, boolean bias) {
    this(config, HeadOptions.withPlif(KIND.spec(), plif).with(HeadOptions.BIAS, bias));
  }

  public PlifHead(HeadConfig<T> config) {
    this(config, KIND.spec());
  }
}
