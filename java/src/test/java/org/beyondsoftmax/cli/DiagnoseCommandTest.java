package org.beyondsoftmax.cli;

import static org.beyondsoftmax.testing.BeyondRun.beyond;
import static org.beyondsoftmax.testing.BeyondRun.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.beyondsoftmax.testing.BeyondRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beyond diagnose} on tiny models trained from the command line (a Transformer with a
 * learned entmax alpha per head and a mixture-of-softmaxes head, an LSTM with a softmax head): the
 * JSON has every field, each within its range (entropy &lt;= log n, support &lt;= n, top-k mass
 * increasing in k and &lt;= 1, alpha in (1, 2), singular values descending, effective rank &lt;=
 * min dims, numerical rank &lt;= min dims, anisotropy in [-1, 1]); the PNGs decode; bad input
 * gets one line naming the option.
 */
class DiagnoseCommandTest {
  @TempDir
  static Path tmp;

  static Path transformer;
  static Path lstm;

  @BeforeAll
  static void train() throws Exception {
    transformer = tmp.resolve("transformer");
    List<String> t = new ArrayList<>(TransformerCommandsTest.tinyTransformer("entmax:learn-alpha=true", "mos",
        transformer));
    BeyondRun run = beyond(t);
    assertEquals(0, run.code(), run.text());
    lstm = tmp.resolve("lstm");
    run = beyond("train", "--corpus", TransformerCommandsTest.corpus().toString(), "--out", lstm.toString(),
        "--head", "softmax", "--embed", "6", "--hidden", "8", "--bptt", "4", "--batch", "2", "--eval-batch", "2",
        "--epochs", "2", "--lr", "0.5", "--seed", "5", "--top-k", "3");
    assertEquals(0, run.code(), run.text());
  }

  private static JsonNode diagnose(Path model, Path plots) throws Exception {
    Path json = tmp.resolve(model.getFileName() + "-diagnose.json");
    BeyondRun run = beyond("diagnose", "--model", model.toString(), "--split", "train", "--windows", "8",
        "--batch", "3", "--contexts", "10", "--json", json.toString(), "--plots", plots.toString());
    assertEquals(0, run.code(), run.text());
    return new ObjectMapper().readTree(json.toFile());
  }

  @Test
  void transformerHeadsAndOutputLayer() throws Exception {
    Path plots = tmp.resolve("plots-t");
    JsonNode r = diagnose(transformer, plots);
    assertEquals("transformer", r.get("backbone").asText());
    JsonNode heads = r.get("attention_heads");
    assertEquals(2 * 2, heads.size(), "2 layers x 2 heads");
    for (JsonNode h : heads) {
      double entropy = h.get("mean_entropy").asDouble();
      double logN = h.get("mean_max_entropy").asDouble();
      assertTrue(entropy >= 0 && entropy <= logN + 1e-6, "0 <= entropy <= mean log n: " + h);
      assertTrue(h.get("mean_support").asDouble() >= 1 && h.get("mean_support").asDouble() <= h.get("mean_keys").asDouble(),
          "1 <= support <= n: " + h);
      assertEquals(1, h.get("mean_mass").asDouble(), 1e-4, "entmax rows sum to 1");
      double previous = 0;
      for (JsonNode m : h.get("top_k_mass")) {
        assertTrue(m.asDouble() >= previous - 1e-9 && m.asDouble() <= 1 + 1e-6, "top-k mass rises to 1: " + h);
        previous = m.asDouble();
      }
      assertEquals(List.of("1", "2", "4"), fieldNames(h.get("top_k_mass")), "k = 1, 2, 4 <= T = 6");
      assertEquals(1, h.get("top_k_mass").get("4").asDouble() >= 0 ? 1 : 0);
      double alpha = h.get("learned").get("alpha").asDouble();
      assertTrue(alpha > 1 && alpha < 2, "learned alpha in (1, 2): " + alpha);
    }
    JsonNode emb = r.get("output_layer").get("class_embeddings");
    assertTrue(emb.get("matrix").asText().contains("shared by the K components"), emb.toString());
    checkOutputLayer(r, 8);
    decodes(plots.resolve(DiagnoseCommand.SPECTRA_PNG));
    decodes(plots.resolve(DiagnoseCommand.ATTENTION_PNG));
  }

  @Test
  void lstmOutputLayerOnly() throws Exception {
    Path plots = tmp.resolve("plots-l");
    JsonNode r = diagnose(lstm, plots);
    assertEquals("lstm", r.get("backbone").asText());
    assertEquals(0, r.get("attention_heads").size(), "no attention");
    checkOutputLayer(r, 8);
    decodes(plots.resolve(DiagnoseCommand.SPECTRA_PNG));
    assertTrue(!Files.exists(plots.resolve(DiagnoseCommand.ATTENTION_PNG)), "no attention figure for the LSTM");
  }

  private static void checkOutputLayer(JsonNode r, int d) {
    JsonNode o = r.get("output_layer");
    JsonNode emb = o.get("class_embeddings");
    int rows = emb.get("rows").asInt();
    assertEquals(d, emb.get("cols").asInt());
    descending(emb.get("singular_values"), Math.min(rows, d));
    double erank = emb.get("effective_rank").asDouble();
    assertTrue(erank >= 1 && erank <= Math.min(rows, d), "1 <= effective rank <= min(V, d): " + erank);
    JsonNode lp = o.get("log_probabilities");
    int contexts = lp.get("contexts").asInt();
    assertTrue(contexts >= 1 && contexts <= 10, "at most --contexts rows: " + contexts);
    descending(lp.get("singular_values"), Math.min(contexts, lp.get("classes").asInt()));
    int rank = lp.get("numerical_rank").asInt();
    assertTrue(rank >= 1 && rank <= Math.min(contexts, lp.get("classes").asInt()), "numerical rank " + rank);
    assertTrue(lp.get("tolerance").asDouble() > 0);
    assertTrue(lp.get("numpy_rank").asInt() <= rank, "NumPy's default tolerance is the looser one here");
    double cos = o.get("anisotropy").get("mean_cosine").asDouble();
    assertTrue(cos >= -1 && cos <= 1, "anisotropy in [-1, 1]: " + cos);
    assertTrue(o.get("anisotropy").get("states").asLong() >= 2);
    assertNotNull(r.get("definitions").get("effective_rank"));
  }

  private static void descending(JsonNode values, int size) {
    assertEquals(size, values.size(), "min(rows, cols) singular values");
    for (int i = 1; i < values.size(); i++) {
      assertTrue(values.get(i).asDouble() <= values.get(i - 1).asDouble() && values.get(i).asDouble() >= 0,
          "descending, non-negative: " + values);
    }
    assertTrue(values.get(0).asDouble() > 0, "sigma_1 > 0");
  }

  private static void decodes(Path png) throws Exception {
    BufferedImage image = ImageIO.read(png.toFile());
    assertNotNull(image, png + " decodes as an image");
    assertTrue(image.getWidth() > 100 && image.getHeight() > 100, png.toString());
  }

  private static List<String> fieldNames(JsonNode n) {
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void badInputNamesTheOption() {
    fails(beyond("diagnose", "--model", transformer.toString(), "--windows", "0"), 2, "--windows must be >= 1, got 0");
    fails(beyond("diagnose", "--model", transformer.toString(), "--contexts", "0"), 2, "--contexts must be >= 1");
    fails(beyond("diagnose", "--model", tmp.resolve("nothing").toString()), 2, "--model", "model.json");
    fails(beyond("diagnose", "--model", transformer.toString(), "--split", "dev"), 2, "--split");
  }
}
