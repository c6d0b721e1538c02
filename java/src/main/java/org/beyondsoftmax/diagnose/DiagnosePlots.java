package org.beyondsoftmax.diagnose;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.beyondsoftmax.plots.Charts;
import org.knowm.xchart.XYChart;

/**
 * {@code beyond diagnose}'s figures as PNG bytes: the singular-value spectra of the output layer
 * (Godey et al. 2024's saturation analysis) and, for a Transformer, per head the mean attention
 * entropy against the uniform row's and the normaliser's learned values (alpha of entmax, s of
 * scalable softmax; Correia et al. 2019 plot alpha per head).
 */
public final class DiagnosePlots {
  private DiagnosePlots() {}

  /** sigma_i / sigma_1 of the log-probabilities and of the class embeddings (log axis). */
  public static byte[] spectra(DiagnosticReport r) {
    DiagnosticReport.OutputLayer o = r.outputLayer();
    XYChart logp = Charts.chart("Spectrum of log p (" + o.logProbabilities().contexts() + " contexts x "
        + o.logProbabilities().classes() + ")", "i", "sigma_i / sigma_1", true);
    Charts.addSpectrum(logp, r.head(), o.logProbabilities().singularValues());
    XYChart emb = Charts.chart("Spectrum of the class embeddings", "i", "sigma_i / sigma_1", true);
    if (o.classEmbeddings() != null) {
      Charts.addSpectrum(emb, r.head(), o.classEmbeddings().singularValues());
    }
    return Charts.png(logp, emb);
  }

  /**
   * Per head (x: layer H + head): the mean entropy and log n, and each learned value; null for a
   * model without attention.
   */
  public static byte[] attention(DiagnosticReport r) {
    List<DiagnosticReport.AttentionHead> heads = r.attentionHeads();
    if (heads.isEmpty()) {
      return null;
    }
    int perLayer = (int) heads.stream().filter(h -> h.layer() == 0).count();
    double[] x = heads.stream().mapToDouble(h -> h.layer() * perLayer + h.head()).toArray();
    XYChart entropy = Charts.chart("Attention entropy per head (" + r.attention() + ")",
        "layer * " + perLayer + " + head", "nats", false);
    entropy.addSeries("mean entropy", x, heads.stream().mapToDouble(
        h -> h.meanEntropy() == null ? Double.NaN : h.meanEntropy()).toArray());
    entropy.addSeries("mean log n (uniform)", x, heads.stream().mapToDouble(
        DiagnosticReport.AttentionHead::meanMaxEntropy).toArray());
    Map<String, double[]> learned = new LinkedHashMap<>();
    for (int i = 0; i < heads.size(); i++) {
      int at = i;
      heads.get(i).learned().forEach((name, v) -> learned.computeIfAbsent(name, k -> new double[heads.size()])[at] = v);
    }
    if (learned.isEmpty()) {
      return Charts.png(entropy);
    }
    XYChart values = Charts.chart("Learned per-head values (" + r.attention() + ")", "layer * " + perLayer + " + head",
        String.join(", ", learned.keySet()), false);
    learned.forEach((name, v) -> values.addSeries(name, x, v));
    return Charts.png(entropy, values);
  }
}
