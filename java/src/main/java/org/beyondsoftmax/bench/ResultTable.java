package org.beyondsoftmax.bench;

import java.util.List;
import java.util.Locale;

/** The human-readable table of a {@link BenchReport}: op, shape, median ms, ratio, baseline. */
public final class ResultTable {
  private ResultTable() {}

  public static String format(BenchReport report) {
    int width = Math.max("op".length(), report.results().stream()
        .mapToInt(r -> r.op().length()).max().orElse(0));
    String row = "%-" + width + "s  %-14s  %12s  %8s  %s%n";
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, row, "op", "shape", "median ms", "ratio", "to"));
    for (BenchResult r : report.results()) {
      out.append(String.format(Locale.ROOT, row, r.op(), shape(r.shape()),
          String.format(Locale.ROOT, "%.3f", r.medianMs()),
          r.ratio() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.ratio()), r.baseline()));
    }
    for (BenchFailure f : report.failed()) {
      out.append(String.format(Locale.ROOT, "FAILED %s [%s]: %s%n", f.op(), shape(f.shape()),
          f.error().lines().findFirst().orElse("")));
    }
    return out.toString();
  }

  private static String shape(List<Integer> dims) {
    return String.join("x", dims.stream().map(String::valueOf).toList());
  }
}
