package org.beyondsoftmax.bench;

import java.util.Locale;

/** The human-readable table of a {@link BenchReport}: op, shape, median ms, ratio. */
public final class ResultTable {
  private ResultTable() {}

  public static String format(BenchReport report) {
    int width = Math.max("op".length(), report.results().stream()
        .mapToInt(r -> r.op().length()).max().orElse(0));
    String row = "%-" + width + "s  %-12s  %12s  %8s%n";
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, row, "op", "shape", "median ms", "ratio"));
    for (BenchResult r : report.results()) {
      out.append(String.format(Locale.ROOT, row, r.op(),
          r.shape().get(0) + "x" + r.shape().get(1),
          String.format(Locale.ROOT, "%.3f", r.medianMs()),
          r.ratioToSoftmaxCe() == null ? "-"
              : String.format(Locale.ROOT, "%.2f", r.ratioToSoftmaxCe())));
    }
    for (BenchFailure f : report.failed()) {
      out.append(String.format(Locale.ROOT, "FAILED %s [%dx%d]: %s%n", f.op(), f.shape().get(0),
          f.shape().get(1), f.error().lines().findFirst().orElse("")));
    }
    return out.toString();
  }
}
