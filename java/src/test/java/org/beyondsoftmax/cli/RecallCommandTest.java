package org.beyondsoftmax.cli;

import static org.beyondsoftmax.testing.BeyondRun.beyond;
import static org.beyondsoftmax.testing.BeyondRun.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.beyondsoftmax.testing.BeyondRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beyond recall} from the command line: the JSON and the figure; bad input in one line. */
class RecallCommandTest {
  @TempDir
  Path tmp;

  @Test
  void writesJsonAndPlot() throws Exception {
    Path json = tmp.resolve("recall.json");
    Path png = tmp.resolve("recall.png");
    BeyondRun run = beyond("recall", "--attention", "softmax,entmax:learn-alpha=true", "--keys", "6",
        "--values", "3", "--train-length", "6", "--test-lengths", "6,12", "--width", "8", "--steps", "20",
        "--test-sequences", "40", "--json", json.toString(), "--plot", png.toString());
    assertEquals(0, run.code(), run.text());
    JsonNode r = new ObjectMapper().readTree(json.toFile());
    assertEquals(1.0 / 3, r.get("chance").asDouble(), 1e-12);
    assertEquals(2, r.get("results").size());
    assertEquals("entmax:learn-alpha=true", r.get("results").get(1).get("attention").asText());
    for (JsonNode res : r.get("results")) {
      for (String length : new String[] {"6", "12"}) {
        double a = res.get("accuracy").get(length).asDouble();
        assertTrue(a >= 0 && a <= 1, "accuracy in [0, 1]: " + res);
      }
    }
    assertNotNull(ImageIO.read(png.toFile()), "the plot decodes");
  }

  @Test
  void badInputNamesTheOption() {
    fails(beyond("recall", "--attention", "softmix"), 2, "--attention", "softmax", "sparsemax", "entmax", "ssmax");
    fails(beyond("recall", "--test-lengths", "64,1"), 2, "--test-lengths must be lengths >= 2");
    fails(beyond("recall", "--train-length", "1"), 2, "--train-length must be >= 2");
    fails(beyond("recall", "--curriculum", "16,64"), 2, "--curriculum must be increasing lengths in [2, --train-length 64)");
    fails(beyond("recall", "--width", "30", "--attention-heads", "4"), 2, "--attention-heads", "divide --width 30");
    fails(beyond("recall", "--lr", "0"), 2, "--lr must be finite and > 0");
  }
}
