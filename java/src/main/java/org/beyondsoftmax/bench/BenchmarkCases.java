package org.beyondsoftmax.bench;

import java.util.List;
import java.util.stream.Stream;
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

  private static final BenchCase.Objective LOG_SOFTMAX =
      in -> in.weightedSum(Mappings.logSoftmax(in.tf(), in.logits()));

  public static final List<BenchCase> ALL = Stream.of(
      composite(BASELINE,
          in -> Losses.crossEntropy(in.tf(), in.logits(), in.labels(), SUM)),
      // mappings: objective sum(y * w)
      composite("log_softmax", LOG_SOFTMAX),
      composite("softmax",
          in -> in.weightedSum(Mappings.softmax(in.tf(), in.logits()))),
      List.of(BenchCase.fused("log_softmax_native", LOG_SOFTMAX)),
      withNative("log_sigsoftmax",
          in -> in.weightedSum(Mappings.logSigsoftmax(in.tf(), in.logits()))),
      withNative("sigsoftmax_ce",
          in -> Losses.sigsoftmaxCrossEntropy(in.tf(), in.logits(), in.labels(), SUM)),
      withNative("sparsemax",
          in -> in.weightedSum(Mappings.sparsemax(in.tf(), in.logits()))),
      composite("sparsemax_full_sort",
          in -> in.weightedSum(
              Mappings.sparsemax(in.tf(), in.logits(), -1, SortStrategy.FULL_SORT))),
      withNative("entmax15",
          in -> in.weightedSum(Mappings.entmax15(in.tf(), in.logits()))),
      composite("entmax15_full_sort",
          in -> in.weightedSum(
              Mappings.entmax15(in.tf(), in.logits(), -1, SortStrategy.FULL_SORT))),
      withNative("entmax_bisect_1.5",
          in -> in.weightedSum(Mappings.entmaxBisect(in.tf(), in.logits(), 1.5, -1))),
      composite("taylor_softmax_2",
          in -> in.weightedSum(Mappings.taylorSoftmax(in.tf(), in.logits(), 2))),
      composite("topk_softmax_100",
          in -> in.weightedSum(Mappings.topKSoftmax(in.tf(), in.logits(), 100))),
      withNative("plif_100000",
          in -> in.weightedSum(
              Mappings.plif(in.tf(), in.logits(), in.plifSlopesRaw(100_000), 20.0))),
      // the LMS-PLIF head's step: cross-entropy of PLIF-transformed logits (composite:
      // crossEntropy(plif(z)); native: one fused kernel)
      withNative("plif_ce_100000",
          in -> Losses.plifCrossEntropy(in.tf(), in.logits(), in.labels(),
              in.plifSlopesRaw(100_000), 20.0, SUM)),
      // losses: objective = the loss with Reduction.SUM
      withNative("sparsemax_loss",
          in -> Losses.sparsemaxLoss(in.tf(), in.logits(), in.labels(), SUM)),
      withNative("entmax15_loss",
          in -> Losses.entmax15Loss(in.tf(), in.logits(), in.labels(), SUM)),
      withNative("entmax_bisect_loss_1.5",
          in -> Losses.entmaxBisectLoss(in.tf(), in.logits(), in.labels(), 1.5, SUM)),
      composite("topk_softmax_loss_100",
          in -> Losses.topKSoftmaxLoss(in.tf(), in.logits(), in.labels(), 100, SUM)),
      composite("taylor_ce_2",
          in -> Losses.taylorCrossEntropy(in.tf(), in.logits(), in.labels(), 2, SUM)),
      composite("am_softmax_loss",
          in -> Losses.amSoftmaxLoss(in.tf(), in.cosines(), in.labels(), 30.0, 0.35, SUM)))
      .flatMap(List::stream).toList();

  /** The case {@code name} of the composite graph ops alone. */
  private static List<BenchCase> composite(String name, BenchCase.Objective objective) {
    return List.of(new BenchCase(name, objective));
  }

  /** The case {@code name} (composite graph ops), then {@code name_native}: the same objective, fused kernels. */
  private static List<BenchCase> withNative(String name, BenchCase.Objective objective) {
    return List.of(new BenchCase(name, objective), BenchCase.fused(name + "_native", objective));
  }

  private BenchmarkCases() {}

  public static List<String> names() {
    return ALL.stream().map(BenchCase::name).toList();
  }
}
