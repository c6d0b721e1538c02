package org.beyondsoftmax.bench;

import java.util.List;
import org.beyondsoftmax.ops.AttentionNormalisers;

/**
 * The attention normalisers that {@code beyond bench ops} times at attention shapes [B, H, Tq, Tk]
 * with a causal mask, one line each, against their own baseline, softmax attention. Each is timed
 * through sum(y * w), w a fixed random upstream gradient; the backward pass is the gradient in
 * the scores and, for the per-head α and s, in those too (as when a model learns them).
 */
public final class AttentionCases {
  /** The baseline every attention ratio is relative to. */
  public static final String BASELINE = "softmax_attention";

  public static final List<BenchCase> ALL = List.of(
      new BenchCase(BASELINE,
          in -> in.weightedSum(AttentionNormalisers.softmax(in.tf(), in.scores(), in.causalMask()))),
      new BenchCase("sparsemax_attention",
          in -> in.weightedSum(AttentionNormalisers.sparsemax(in.tf(), in.scores(), in.causalMask()))),
      new BenchCase("entmax15_attention",
          in -> in.weightedSum(AttentionNormalisers.entmax(in.tf(), in.scores(), in.causalMask(), 1.5))),
      new BenchCase("entmax_alpha_per_head_attention",
          in -> in.weightedSum(AttentionNormalisers.entmax(
              in.tf(), in.scores(), in.causalMask(), in.perHead(1.5)))),
      new BenchCase("ssmax_per_head_attention",
          in -> in.weightedSum(AttentionNormalisers.ssmax(
              in.tf(), in.scores(), in.causalMask(), in.perHead(1.0)))),
      new BenchCase("softpick_attention",
          in -> in.weightedSum(AttentionNormalisers.softpick(in.tf(), in.scores(), in.causalMask()))),
      new BenchCase("sigmoid_attention",
          in -> in.weightedSum(AttentionNormalisers.sigmoid(in.tf(), in.scores(), in.causalMask()))));

  private AttentionCases() {}

  public static List<String> names() {
    return ALL.stream().map(BenchCase::name).toList();
  }
}
