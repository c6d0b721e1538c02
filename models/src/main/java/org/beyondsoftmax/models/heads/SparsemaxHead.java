package org.beyondsoftmax.models.heads;

import java.util.List;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Spec;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TFloating;
import org.tensorflow.types.family.TIntegral;

/**
 * Sparsemax (Martins &amp; Astudillo 2016, "From Softmax to Sparsemax"): p = sparsemax(W h + b),
 * the Euclidean projection onto the simplex, with exact zeros. Trained with the sparsemax loss,
 * the Fenchel-Young loss of the Gini entropy H(p) = (1 - sum p^2)/2 ({@link Losses#sparsemaxLoss},
 * {@link Losses#sparsemaxLossWithTargets}).
 */
public final class SparsemaxHead<T extends TFloating> extends SparseHead<T> {
  public static final Kind<HeadFactory> KIND = Kind.of("sparsemax",
      "sparsemax with the sparsemax loss (Martins & Astudillo 2016)", List.of(HeadOptions.BIAS),
      SparsemaxHead::new);


  public SparsemaxHead(HeadConfig<T> config, Spec<HeadFactory> spec) {
    super(config, spec, List.of(KIND));
    classLayer(spec.get(HeadOptions.BIAS), false);
  }

  public SparsemaxHead(HeadConfig<T> config, boolean bias) {
    this(config, KIND.spec().with(HeadOptions.BIAS, bias));
  }

  public SparsemaxHead(HeadConfig<T> config) {
    this(config, KIND.spec());
  }


  @Override
  protected Operand<T> map(Ops tf, Operand<T> z) {
    return Mappings.sparsemax(tf, z);
  }

  @Override
  public Operand<T> loss(Operand<T> h, Operand<? extends TIntegral> labels) {
    return onScores("loss", h, (s, z) -> Losses.sparsemaxLoss(s, z, labels));
  }

  @Override
  public Operand<T> targetLoss(Operand<T> h, Operand<T> targets) {
    return onScores("targetLoss", h,
        (s, z) -> Losses.sparsemaxLossWithTargets(s, z, checkTargets(targets), LossOptions.defaults()));
  }

}
