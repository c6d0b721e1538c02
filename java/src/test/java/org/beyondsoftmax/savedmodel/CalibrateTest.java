package org.beyondsoftmax.savedmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.beyondsoftmax.cli.Main;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.ops.PortableGraphs;
import org.beyondsoftmax.testing.ForeignModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;

/**
 * {@code beyond calibrate} on a SavedModel built here as a stand-in for a foreign one: an
 * over-confident linear classifier (its logits are 4 times the data's). NLL drops on the fitted
 * and the held-out examples, argmax stays, the other signatures and only TensorFlow ops remain.
 */
class CalibrateTest {
  static final int D = ForeignModels.D;
  static final int M = ForeignModels.M;

  static float[] weights() {
    return ForeignModels.weights();
  }

  static void foreignModel(Path dir) throws IOException {
    ForeignModels.linearClassifier(dir);
  }

  /** Examples whose labels follow softmax(x W): the model's logits are 4 times too large. */
  static Path data(Path file, int n) throws IOException {
    float[] w = weights();
    SplittableRandom r = new SplittableRandom(2);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      double[] x = new double[D];
      for (int k = 0; k < D; k++) {
        x[k] = r.nextGaussian();
      }
      double[] p = new double[M];
      double sum = 0;
      for (int j = 0; j < M; j++) {
        double z = 0;
        for (int k = 0; k < D; k++) {
          z += x[k] * w[k * M + j];
        }
        p[j] = Math.exp(z);
        sum += p[j];
      }
      double u = r.nextDouble() * sum;
      int y = 0;
      while (y < M - 1 && (u -= p[y]) > 0) {
        y++;
      }
      b.append(String.format("{\"features\": [%.5f, %.5f, %.5f, %.5f], \"label\": %d}%n", x[0], x[1], x[2], x[3], y));
    }
    Files.writeString(file, b.toString());
    return file;
  }

  @Test
  void plifAndTemperatureLowerTheNllOfAForeignModelAndKeepItsPredictions(@TempDir Path tmp) throws IOException {
    Path model = tmp.resolve("foreign");
    foreignModel(model);
    Path data = data(tmp.resolve("data.jsonl"), 800);
    for (String method : List.of("plif", "temperature")) {
      Path out = tmp.resolve("calibrated-" + method);
      StringWriter text = new StringWriter();
      int code = Main.commandLine().setOut(new PrintWriter(text)).setErr(new PrintWriter(text))
          .execute("calibrate", "--model", model.toString(), "--signature", "classify", "--logits", "scores",
              "--data", data.toString(), "--out", out.toString(), "--method", method);
      assertEquals(0, code, text.toString());
      System.out.print("CalibrateTest, " + method + ":\n" + text);
      Calibrator.Report r = Json.read(out.resolve("calibration.json"), Calibrator.Report.class);
      assertEquals(640, r.fitExamples());
      assertTrue(r.fitNllAfter() < r.fitNllBefore() - 0.2, "fit NLL drops: " + r);
      assertTrue(r.checkNllAfter() < r.checkNllBefore() - 0.2, "held-out NLL drops: " + r);
      assertTrue(r.argmaxUnchanged(), "increasing: the same predictions");
      try (SavedModelBundle b = SavedModelBundle.load(out.toString(), SavedModelBundle.DEFAULT_TAG)) {
        assertEquals(Set.of("classify", "serving_default"),
            Set.copyOf(b.signatures().stream().map(Signature::key).toList()), "every signature is kept");
        assertEquals(Set.of("scores", "scores_calibrated", "scores_calibrated_probabilities"),
            b.function("classify").signature().outputNames());
        assertEquals(Set.of(), PortableGraphs.foreignOps(b.graph()), "only TensorFlow ops");
      }
    }
  }
}
