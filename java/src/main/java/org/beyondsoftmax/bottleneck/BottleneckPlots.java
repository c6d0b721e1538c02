package org.beyondsoftmax.bottleneck;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.beyondsoftmax.plots.Charts;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The experiment's figures as PNG bytes (XChart, rendered headless): mode match and KL against D
 * (Ganea et al.'s figures 2 and 3), the learned pointwise functions (their figure 4), and the
 * singular-value spectra of log Q and of the class embeddings (the saturation analysis of Godey et
 * al. 2024, "Why do small language models underperform?").
 */
public final class BottleneckPlots {
  private BottleneckPlots() {}

  /** Two panels: mode match (%) and KL(P*||Q) against D, one line per head (and M). */
  public static byte[] bottleneck(BottleneckReport report) {
    BottleneckSettings s = report.settings();
    boolean severalM = s.classes().size() > 1;
    String problem = "N=" + s.contexts() + (severalM ? "" : ", M=" + s.classes().get(0));
    XYChart match = Charts.chart("Mode match vs D (" + problem + ")", "D (context embedding size)",
        "contexts with argmax Q = argmax P* (%)", false);
    XYChart kl = Charts.chart("KL(P* || Q) vs D (" + problem + ")", "D (context embedding size)",
        "mean KL(P* || Q)   (* sparse: Q smoothed)", false);
    Map<String, List<BottleneckResult>> lines = new LinkedHashMap<>();
    for (BottleneckResult r : report.results()) {
      String name = r.head() + (r.smoothed() ? " *" : "") + (severalM ? " M=" + r.classes() : "");
      lines.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
    }
    lines.forEach((name, rs) -> {
      addLine(match, name, rs, BottleneckResult::modeMatch);
      addLine(kl, name, rs, BottleneckResult::kl);
    });
    return Charts.png(match, kl);
  }

  /** The learned increasing functions f(x) of the LMS heads, one line per run; null if none. */
  public static byte[] functions(BottleneckReport report) {
    XYChart c = Charts.chart("Learned pointwise functions (Ganea et al. fig. 4)", "logit x", "f(x) - f(0)", false);
    int lines = 0;
    for (BottleneckResult r : report.results()) {
      if (r.function() == null) {
        continue;
      }
      double[] x = r.function().x();
      double[] f = r.function().f().clone();
      double f0 = f[f.length / 2]; // the grid is symmetric: its middle point is x = 0
      for (int i = 0; i < f.length; i++) {
        f[i] -= f0;
      }
      c.addSeries(r.head() + " D=" + r.dims() + " M=" + r.classes(), x, f).setMarker(SeriesMarkers.NONE);
      lines++;
    }
    return lines == 0 ? null : Charts.png(c);
  }

  /**
   * Two panels: sigma_i / sigma_1 of log Q (N' x M, log scale) and of the class embeddings
   * (M x D), for each head at the largest D and M.
   */
  public static byte[] spectra(BottleneckReport report) {
    int maxD = report.settings().dims().stream().mapToInt(Integer::intValue).max().orElseThrow();
    int maxM = report.settings().classes().stream().mapToInt(Integer::intValue).max().orElseThrow();
    XYChart logQ = Charts.chart("Spectrum of log Q (D=" + maxD + ", M=" + maxM + ")", "i", "sigma_i / sigma_1", true);
    XYChart emb = Charts.chart("Spectrum of the class embeddings (M x D)", "i", "sigma_i / sigma_1", false);
    for (BottleneckResult r : report.results()) {
      if (r.dims() != maxD || r.classes() != maxM) {
        continue;
      }
      Charts.addSpectrum(logQ, r.head(), r.spectrum().logProb());
      if (r.spectrum().classEmbeddings() != null) {
        Charts.addSpectrum(emb, r.head(), r.spectrum().classEmbeddings());
      }
    }
    return Charts.png(logQ, emb);
  }

  private static void addLine(XYChart c, String name, List<BottleneckResult> rs,
      ToDoubleFunction<BottleneckResult> y) {
    double[] xs = rs.stream().mapToDouble(BottleneckResult::dims).toArray();
    double[] ys = rs.stream().mapToDouble(y).toArray();
    c.addSeries(name, xs, ys);
  }

}
