package org.beyondsoftmax.plots;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The experiments' charts (XChart, rendered headless): one style, singular-value spectra as
 * sigma_i / sigma_1 on a log axis, and panels joined side by side into one PNG.
 */
public final class Charts {
  private static final int WIDTH = 640;
  private static final int HEIGHT = 460;

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private Charts() {}

  /** An empty line chart in the house style: white, legend below. */
  public static XYChart chart(String title, String x, String y, boolean logY) {
    XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
        .xAxisTitle(x).yAxisTitle(y).build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setYAxisLogarithmic(logY);
    c.getStyler().setXAxisDecimalPattern("#.##");
    return c;
  }

  /**
   * Adds sigma_i / sigma_1 against i = 1, 2, ... (singular values largest first); zeros are left
   * out, as a log axis cannot draw them. Nothing is added for an empty or all-zero spectrum.
   */
  public static void addSpectrum(XYChart c, String name, double[] sv) {
    List<Double> x = new ArrayList<>();
    List<Double> y = new ArrayList<>();
    for (int i = 0; i < sv.length && sv[0] > 0; i++) {
      double v = sv[i] / sv[0];
      if (v > 0) {
        x.add(i + 1.0);
        y.add(v);
      }
    }
    if (!x.isEmpty()) {
      c.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
    }
  }

  /** The charts side by side, left to right, as one PNG. */
  public static byte[] png(XYChart... panels) {
    List<BufferedImage> images = new ArrayList<>();
    for (XYChart c : panels) {
      images.add(BitmapEncoder.getBufferedImage(c));
    }
    int width = images.stream().mapToInt(BufferedImage::getWidth).sum();
    int height = images.stream().mapToInt(BufferedImage::getHeight).max().orElse(1);
    BufferedImage out = new BufferedImage(Math.max(width, 1), height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, out.getWidth(), out.getHeight());
    int x = 0;
    for (BufferedImage i : images) {
      g.drawImage(i, x, 0, null);
      x += i.getWidth();
    }
    g.dispose();
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      javax.imageio.ImageIO.write(out, "png", bytes);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
