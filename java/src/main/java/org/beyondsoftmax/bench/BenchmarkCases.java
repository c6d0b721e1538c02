package org.beyondsoftmax.bench;

import java.util.List;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Mappings;
import org.beyondsoftmax.ops.Reduction;
import org.beyondsoftmax.ops.SortStrategy;

/**
 * The ops that {@code beyond bench ops} times, one line each. Mappings y(x) are timed through
 * the objective sum(y * w), w a fixed random upstream gradient; losses through their SUM. Cases
 * ending in {@code _native} are built with the fused CPU kernels of beyond-softmax-native, the
 * others with the composite graph ops (standard TensorFlow ops only).
 */
public final class BenchmarkCases {
  /** The baseline every ratio is relative to. */
  public static final String BASELINE = "softmax_ce";

  private static final LossOptions SUM = LossOptions.defaults().withReduction(Reduction.SUM);

  public static final List<BenchCase> ALL = List.of(
      new BenchCase(BASELINE,
          in -> Losses.crossEntropy(in.tf(), in.logits(), in.labels(), SUM)),
      // mappings: objective sum(y * w)
      new BenchCase("log_softmax",
          in -> in.weightedSum(Mappings.logSoftmax(in.tf(), in.logits()))),
      new BenchCase("softmax",
          in -> in.weightedSum(Mappings.softmax(in.tf(), in.logits()))),
      BenchCase.fused("log_softmax_native",
          in -> in.weightedSum(Mappings.logSoftmax(in.tf(), in.logits()))),
      new BenchCase("log_sigsoftmax",
          in -> in.weightedSum(Mappings.logSigsoftmax(in.tf(), in.logits()))),
      BenchCase.fused("log_sigsoftmax_native",
          in -> in.weightedSum(Mappings.logSigsoftmax(in.tf(), in.logits()))),
      new BenchCase("sigsoftmax_ce",
          in -> Losses.sigsoftmaxCrossEntropy(in.tf(), in.logits(), in.labels(), SUM)),
      BenchCase.fused("sigsoftmax_ce_native",
          in -> Losses.sigsoftmaxCrossEntropy(in.tf(), in.logits(), in.labels(), SUM)),
      new BenchCase("sparsemax",
          in -> in.weightedSum(Mappings.sparsemax(in.tf(), in.logits()))),
      BenchCase.fused("sparsemax_native",
          in -> in.weightedSum(Mappings.sparsemax(in.tf(), in.logits()))),
      new BenchCase("sparsemax_full_sort",
          in -> in.weightedSum(
              Mappings.sparsemax(in.tf(), in.logits(), -1, SortStrategy.FULL_SORT))),
      new BenchCase("entmax15",
          in -> in.weightedSum(Mappings.entmax15(in.tf(), in.logits()))),
      BenchCase.fused("entmax15_native",
          in -> in.weightedSum(Mappings.entmax15(in.tf(), in.logits()))),
      new BenchCase("entmax15_full_sort",
          in -> in.weightedSum(
              Mappings.entmax15(in.tf(), in.logits(), -1, SortStrategy.FULL_SORT))),
      new BenchCase("entmax_bisect_1.5",
          in -> in.weightedSum(Mappings.entmaxBisect(in.tf(), in.logits(), 1.5, -1))),
      BenchCase.fused("entmax_bisect_1.5_native",
          in -> in.weightedSum(Mappings.entmaxBisect(in.tf(), in.logits(), 1.5, -1))),
      new BenchCase("taylor_softmax_2",
          in -> in.weightedSum(Mappings.taylorSoftmax(in.tf(), in.logits(), 2))),
      new BenchCase("topk_softmax_100",
          in -> in.weightedSum(Mappings.topKSoftmax(in.tf(), in.logits(), 100))),
      new BenchCase("plif_100000",
          in -> in.weightedSum(
              Mappings.plif(in.tf(), in.logits(), in.plifSlopesRaw(100_000), 20.0))),
      BenchCase.fused("plif_100000_native",
          in -> in.weightedSum(
              Mappings.plif(in.tf(), in.logits(), in.plifSlopesRaw(100_000), 20.0))),
      // the LMS-PLIF head's step: cross-entropy of PLIF-transformed logits (composite:
      // crossEntropy(plif(z)); native: one fused kernel)
      new BenchCase("plif_ce_100000",
          in -> Losses.plifCrossEntropy(in.tf(), in.logits(), in.labels(),
              in.plifSlopesRaw(100_000), 20.0, SUM)),
      BenchCase.fused("plif_ce_100000_native",
          in -> Losses.plifCrossEntropy(in.tf(), in.logits(), in.labels(),
              in.plifSlopesRaw(100_000), 20.0, SUM)),
      // losses: objective = the loss with Reduction.SUM
      new BenchCase("sparsemax_loss",
          in -> Losses.sparsemaxLoss(in.tf(), in.logits(), in.labels(), SUM)),
      BenchCase.fused("sparsemax_loss_native",
          in -> Losses.sparsemaxLoss(in.tf(), in.logits(), in.labels(), SUM)),
      new BenchCase("entmax15_loss",
          in -> Losses.entmax15Loss(in.tf(), in.logits(), in.labels(), SUM)),
      BenchCase.fused("entmax15_loss_native",
          in -> Losses.entmax15Loss(in.tf(), in.logits(), in.labels(), SUM)),
      new BenchCase("entmax_bisect_loss_1.5",
          in -> Losses.entmaxBisectLoss(in.tf(), in.logits(), in.labels(), 1.5, SUM)),
      BenchCase.fused("entmax_bisect_loss_1.5_native",
          in -> Losses.entmaxBisectLoss(in.tf(), in.logits(), in.labels(), 1.5, SUM)),
      new BenchCase("topk_softmax_loss_100",
          in -> Losses.topKSoftmaxLoss(in.tf(), in.logits(), in.labels(), 100, SUM)),
      new BenchCase("taylor_ce_2",
          in -> Losses.taylorCrossEntropy(in.tf(), in.logits(), in.labels(), 2, SUM)),
      new BenchCase("am_softmax_loss",
          in -> Losses.amSoftmaxLoss(in.tf(), in.cosines(), in.labels(), 30.0, 0.35, SUM)));

  private BenchmarkCases() {}

  public static List<String> names() {
    return ALL.stream().map(BenchCase::name).toList();
  }
}
