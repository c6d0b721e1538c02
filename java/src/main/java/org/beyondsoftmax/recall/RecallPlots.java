package org.beyondsoftmax.recall;

import org.beyondsoftmax.plots.Charts;
import org.knowm.xchart.XYChart;

/** {@code beyond recall}'s figure: accuracy against sequence length, one line per normaliser, and chance. */
public final class RecallPlots {
  private RecallPlots() {}

  public static byte[] accuracy(RecallReport report) {
    RecallSettings s = report.settings();
    XYChart c = Charts.chart("Associative recall: trained at L=" + s.trainLength() + " (K=" + s.keys() + " keys, V="
        + s.values() + " values)", "sequence length L (pairs + query)", "accuracy", false);
    c.getStyler().setXAxisLogarithmic(true);
    double[] x = s.testLengths().stream().mapToDouble(Integer::doubleValue).toArray();
    for (RecallReport.Result r : report.results()) {
      c.addSeries(r.attention(), x, s.testLengths().stream().mapToDouble(r.accuracy()::get).toArray());
    }
    double[] chance = new double[x.length];
    java.util.Arrays.fill(chance, report.chance());
    c.addSeries("chance", x, chance);
    return Charts.png(c);
  }
}
