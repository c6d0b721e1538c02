package org.beyondsoftmax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Set;
import org.beyondsoftmax.cli.Main;
import org.beyondsoftmax.ops.PortableGraphs;
import org.beyondsoftmax.testing.TinyLanguageModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;

/**
 * A model exported with a cache head ({@code beyond export-cache}) loads in plain TF-Java, holds
 * only TensorFlow's ops, and is served: prompts of different lengths batched together get the
 * answers of unbatched runs of its {@code next_word} signature, and a word the prompt never showed
 * gets (1 - lambda) times its probability under the model without the cache (the memory is the
 * prompt's own history; a prompt of one word has none, and gets the model's answer).
 */
class CachedServingTest {
  static final double LAMBDA = 0.3;

  @Test
  void aCachedModelServesItsUnbatchedAnswersWithThePromptAsItsMemory(@TempDir Path tmp) throws Exception {
    Path plain = TinyLanguageModels.train(tmp.resolve("lm"), "softmax", 1);
    Path cached = tmp.resolve("lm-cache");
    StringWriter log = new StringWriter();
    int code = Main.commandLine().setOut(new PrintWriter(log)).setErr(new PrintWriter(log)).execute("export-cache",
        "--model", plain.toString(), "--cache", "8", "--cache-lambda", "" + LAMBDA, "--cache-theta", "1.0",
        "--out", cached.toString());
    assertEquals(0, code, log.toString());
    int[][] prompts = {{1, 2, 3, 4, 2}, {5, 2}, {7}};
    try (SavedModelBundle withCache = SavedModelBundle.load(cached.toString(), SavedModelBundle.DEFAULT_TAG);
        SavedModelBundle without = SavedModelBundle.load(plain.toString(), SavedModelBundle.DEFAULT_TAG);
        RunningServer server = new RunningServer(cached, "lm")) {
      assertEquals(Set.of(), PortableGraphs.foreignOps(withCache.graph()), "TensorFlow's own ops only");
      int vocabulary = TinyLanguageModels.nextWord(without, prompts[0]).length;
      RunningServer.Answer a = server.predict("{\"instances\": [[1, 2, 3, 4, 2], [5, 2], [7]], \"top_k\": "
          + vocabulary + "}");
      assertEquals(200, a.status(), a.text());
      for (int r = 0; r < prompts.length; r++) {
        JsonNode got = a.json().at("/predictions/" + r);
        int[] ids = ServerTest.intArray(got.get("top_ids"));
        float[] p = ServerTest.floatArray(got.get("top_probabilities"));
        float[] want = TinyLanguageModels.nextWord(withCache, prompts[r]);
        float[] head = TinyLanguageModels.nextWord(without, prompts[r]);
        boolean changed = false;
        for (int k = 0; k < ids.length; k++) {
          assertEquals(want[ids[k]], p[k], 1e-5, "prompt " + r + ", word " + ids[k] + ": the unbatched run");
          boolean seen = false;
          for (int t = 1; t < prompts[r].length; t++) {
            seen |= prompts[r][t] == ids[k];
          }
          if (!seen) { // not in the memory: the head's share only (all of it without a memory)
            double share = prompts[r].length > 1 ? 1 - LAMBDA : 1;
            assertEquals(share * head[ids[k]], want[ids[k]], 1e-5, "prompt " + r + ", word " + ids[k]);
          }
          changed |= Math.abs(want[ids[k]] - head[ids[k]]) > 1e-3;
        }
        assertEquals(prompts[r].length > 1, changed, "prompt " + r + ": the cache matters iff the prompt has history");
      }
    }
  }
}
