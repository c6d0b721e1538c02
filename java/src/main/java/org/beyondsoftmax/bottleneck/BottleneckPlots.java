package org.beyondsoftmax.bottleneck;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The experiment's figures as PNG bytes (XChart, rendered headless): mode match and KL against D
 * (Ganea et al.'s figures 2 and 3), the learned pointwise functions (their figure 4), and the
 * singular-value spectra of log Q and of the class embeddings (the saturation analysis of Godey et
 * al. 2024, "Why do small language models underperform?").
 */
public final class BottleneckPlots {
  private static final int WIDTH = 640;
  private static final int HEIGHT = 460;

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private BottleneckPlots() {}

  /** Two panels: mode match (%) and KL(P*||Q) against D, one line per head (and M). */
  public static byte[] bottleneck(BottleneckReport report) {
    BottleneckSettings s = report.settings();
    boolean severalM = s.classes().size() > 1;
    String problem = "N=" + s.contexts() + (severalM ? "" : ", M=" + s.classes().get(0));
    XYChart match = chart("Mode match vs D (" + problem + ")", "D (context embedding size)",
        "contexts with argmax Q = argmax P* (%)", false);
    XYChart kl = chart("KL(P* || Q) vs D (" + problem + ")", "D (context embedding size)",
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
    return png(side(match, kl));
  }

  /** The learned increasing functions f(x) of the LMS heads, one line per run; null if none. */
  public static byte[] functions(BottleneckReport report) {
    XYChart c = chart("Learned pointwise functions (Ganea et al. fig. 4)", "logit x", "f(x) - f(0)", false);
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
    return lines == 0 ? null : png(image(c));
  }

  /**
   * Two panels: sigma_i / sigma_1 of log Q (N' x M, log scale) and of the class embeddings
   * (M x D), for each head at the largest D and M.
   */
  public static byte[] spectra(BottleneckReport report) {
    int maxD = report.settings().dims().stream().mapToInt(Integer::intValue).max().orElseThrow();
    int maxM = report.settings().classes().stream().mapToInt(Integer::intValue).max().orElseThrow();
    XYChart logQ = chart("Spectrum of log Q (D=" + maxD + ", M=" + maxM + ")", "i", "sigma_i / sigma_1", true);
    XYChart emb = chart("Spectrum of the class embeddings (M x D)", "i", "sigma_i / sigma_1", false);
    for (BottleneckResult r : report.results()) {
      if (r.dims() != maxD || r.classes() != maxM) {
        continue;
      }
      addSpectrum(logQ, r.head(), r.spectrum().logProb());
      if (r.spectrum().classEmbeddings() != null) {
        addSpectrum(emb, r.head(), r.spectrum().classEmbeddings());
      }
    }
    return png(side(logQ, emb));
  }

  private static void addSpectrum(XYChart c, String name, double[] sv) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (int i = 0; i < sv.length; i++) {
      double v = sv[i] / sv[0];
      if (v > 0) { // a log axis cannot draw zeros
        x.add(i + 1.0);
        y.add(v);
      }
    }
    c.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
  }

  private static void addLine(XYChart c, String name, List<BottleneckResult> rs,
      ToDoubleFunction<BottleneckResult> y) {
    double[] xs = rs.stream().mapToDouble(BottleneckResult::dims).toArray();
    double[] ys = rs.stream().mapToDouble(y).toArray();
    c.addSeries(name, xs, ys);
  }

  private static XYChart chart(String title, String x, String y, boolean logY) {
    XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle(x).yAxisTitle(y).build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setYAxisLogarithmic(logY);
    c.getStyler().setXAxisDecimalPattern("#.##");
    return c;
  }

  private static BufferedImage image(XYChart c) {
    return BitmapEncoder.getBufferedImage(c);
  }

  private static BufferedImage side(XYChart left, XYChart right) {
    BufferedImage a = image(left);
    BufferedImage b = image(right);
    BufferedImage out = new BufferedImage(a.getWidth() + b.getWidth(),
        Math.max(a.getHeight(), b.getHeight()), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, out.getWidth(), out.getHeight());
    g.drawImage(a, 0, 0, null);
    g.drawImage(b, a.getWidth(), 0, null);
    g.dispose();
    return out;
  }

  private static byte[] png(BufferedImage image) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ImageIO.write(image, "png", bytes);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
