package org.beyondsoftmax.bottleneck;

import java.util.Locale;

/** The report as a text table, with the PLIF-slope and support statistics below it. */
public final class BottleneckTable {
  private BottleneckTable() {}

  public static String format(BottleneckReport report) {
    StringBuilder b = new StringBuilder();
    BottleneckSettings s = report.settings();
    b.append(String.format(Locale.ROOT,
        "softmax bottleneck (Ganea et al. 2019, sec. 5.1): N=%d contexts ~ N(0, %s^2), P* ~ Dirichlet(%s), %d Adam steps, lr %s, seed %d%n",
        s.contexts(), s.contextInitStd(), s.alpha(), s.steps(), s.learningRate(), s.seed()));
    b.append(String.format(Locale.ROOT, "%6s %4s  %-28s %10s %7s %6s %9s %8s%n",
        "M", "D", "head", "KL(P*||Q)", "mode%", "rank", "params", "train s"));
    boolean smoothed = false;
    for (BottleneckResult r : report.results()) {
      smoothed |= r.smoothed();
      b.append(String.format(Locale.ROOT, "%6d %4d  %-28s %9.4f%s %7.1f %6d %9d %8.2f%n",
          r.classes(), r.dims(), r.head(), r.kl(), r.smoothed() ? "*" : " ", r.modeMatch(),
          r.logProbRank(), r.params(), r.trainSeconds()));
    }
    BottleneckResult first = report.results().get(0);
    if (smoothed) {
      b.append(String.format(Locale.ROOT,
          "* sparse head: Q has exact zeros, so KL(P*||Q) is infinite; shown is KL(P*||Q_eps),"
              + " Q_eps = (1-eps) Q + eps/M, eps = %s (also its rank is that of log Q_eps)%n", s.klSmoothing()));
    }
    b.append(String.format(Locale.ROOT,
        "rank: numerical rank of log Q on its first N'=%d rows, tolerance max(N', M) * sigma_max * 2^-23%n",
        first.rankRows()));
    appendStats(b, report, "learned PLIF slopes (Ganea et al. table 2)", true);
    appendStats(b, report, "support size |{j : Q_j > 0}| per context (sparse heads)", false);
    return b.toString();
  }

  private static void appendStats(StringBuilder b, BottleneckReport report, String title, boolean slopes) {
    boolean header = false;
    for (BottleneckResult r : report.results()) {
      BottleneckResult.Stats st = slopes ? r.plifSlopes() : r.support();
      if (st == null) {
        continue;
      }
      if (!header) {
        b.append(String.format(Locale.ROOT, "%n%s%n%6s %4s  %-28s %9s %9s %9s %9s %9s%n", title,
            "M", "D", "head", "mean", "std", "min", "median", "max"));
        header = true;
      }
      b.append(String.format(Locale.ROOT, "%6d %4d  %-28s %9.4g %9.4g %9.4g %9.4g %9.4g%n",
          r.classes(), r.dims(), r.head(), st.mean(), st.std(), st.min(), st.median(), st.max()));
    }
  }
}
