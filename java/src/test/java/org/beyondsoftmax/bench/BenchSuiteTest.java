package org.beyondsoftmax.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.beyondsoftmax.ops.LossOptions;
import org.beyondsoftmax.ops.Losses;
import org.beyondsoftmax.ops.Reduction;
import org.junit.jupiter.api.Test;

/** A failing op, at build or at run time, is reported while the other ops are still timed. */
class BenchSuiteTest {
  private static final LossOptions SUM = LossOptions.defaults().withReduction(Reduction.SUM);

  @Test
  void failingOpsAreReportedAndSkipped() {
    List<BenchCase> cases = List.of(
        BenchmarkCases.ALL.get(0),
        new BenchCase("fails_to_build", in -> {
          throw new IllegalArgumentException("no such op");
        }),
        // labels out of [0, M): the loss fails when it runs
        new BenchCase("fails_to_run", in -> Losses.crossEntropy(in.tf(), in.logits(),
            in.tf().math.add(in.labels(), in.tf().constant(1000)), SUM)),
        BenchmarkCases.ALL.get(1));
    StringWriter progress = new StringWriter();
    BenchReport report =
        new BenchSuite(1, 2, 7, new PrintWriter(progress)).run(
            List.of(new BenchShape(4, 10), new BenchShape(3, 5)), cases);

    assertEquals(List.of("softmax_ce", "log_softmax", "softmax_ce", "log_softmax"),
        report.results().stream().map(BenchResult::op).toList());
    assertEquals(List.of("fails_to_build", "fails_to_run", "fails_to_build", "fails_to_run"),
        report.failed().stream().map(BenchFailure::op).toList());
    assertTrue(report.failed().get(0).error().contains("no such op"), report.failed().toString());
    assertEquals(List.of(3, 5), report.results().get(2).shape());
    assertEquals(1.0, report.results().get(0).ratio(), 0.0);
    assertEquals("softmax_ce", report.results().get(1).baseline());
    assertTrue(progress.toString().contains("error: fails_to_run [4x10] failed"), progress.toString());
  }

  /** Every attention case builds and runs at a small attention shape, as a ratio to its baseline. */
  @Test
  void attentionCasesRunAgainstSoftmaxAttention() {
    BenchReport report = new BenchSuite(0, 1, 3, new PrintWriter(new StringWriter()))
        .run(List.of(new BenchShape(List.of(2, 3, 6, 7))), AttentionCases.ALL, AttentionCases.BASELINE);
    assertEquals(List.of(), report.failed());
    assertEquals(AttentionCases.names(), report.results().stream().map(BenchResult::op).toList());
    for (BenchResult r : report.results()) {
      assertEquals(List.of(2, 3, 6, 7), r.shape());
      assertEquals(AttentionCases.BASELINE, r.baseline());
      assertTrue(r.ratio() > 0, r.toString());
    }
    assertEquals(1.0, report.results().get(0).ratio(), 0.0);
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(2.0, BenchResult.median(new double[] {3, 1, 2}), 0.0);
    assertEquals(2.5, BenchResult.median(new double[] {4, 1, 3, 2}), 0.0);
  }

  @Test
  void parsesShapes() {
    assertEquals(new BenchShape(2048, 10000), BenchShape.parse(" 2048X10000 "));
    assertEquals("256x100000", BenchShape.parse("256x100000").toString());
    BenchShape attention = BenchShape.parseAttention("64x4x256x256");
    assertEquals(List.of(64, 4, 256, 256), attention.dims());
    assertEquals(64 * 4 * 256, attention.rows());
    assertEquals(256, attention.classes());
    assertThrows(IllegalArgumentException.class, () -> BenchShape.parseAttention("64x256"));
    assertThrows(IllegalArgumentException.class, () -> BenchShape.parse("64x4x256x256"));
    assertThrows(IllegalArgumentException.class, () -> BenchShape.parseAttention("64x0x256x256"));
  }
}
