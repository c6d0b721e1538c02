package org.beyondsoftmax.cli;

import static org.beyondsoftmax.testing.BeyondRun.beyond;
import static org.beyondsoftmax.testing.BeyondRun.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.testing.BeyondRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beyond memory-task --json FILE} at a tiny size (one epoch of 40 episodes, H = 8): the
 * report has the shape, {@code {"results": [{"mode": "none|cache|trime|histalign",
 * "accuracy": A, ...}]}}, with the mean rank of the right memory for every cache, and bad options
 * are one line with status 2. What the modes reach at this size is not asserted (the experiment's
 * numbers come from the default settings).
 */
class MemoryTaskCommandTest {
  @TempDir
  Path tmp;

  @Test
  void writesOneResultPerModeWithAccuracyAndTheRightMemorysRank() throws IOException {
    Path json = tmp.resolve("memory.json");
    BeyondRun r = beyond("memory-task", "--episodes", "40,8,8", "--epochs", "1", "--hidden", "8",
        "--bptt", "10", "--batch", "4", "--cache", "20", "--json", json.toString());
    assertEquals(0, r.code(), r.text());
    JsonNode results = Json.read(json, JsonNode.class).get("results");
    List<String> modes = new ArrayList<>();
    for (JsonNode m : results) {
      modes.add(m.get("mode").asText());
      double accuracy = m.get("accuracy").asDouble();
      assertTrue(accuracy >= 0 && accuracy <= 1, "an accuracy: " + m);
      assertTrue(m.get("copies").asInt() > 0, "copy positions scored: " + m);
      assertTrue(m.get("perplexity").asDouble() > 1, "a finite perplexity: " + m);
      if (!m.get("mode").asText().equals("none")) {
        double rank = m.get("meanRank").asDouble();
        assertTrue(rank >= 1 && rank <= 20, "a rank among at most L = 20 memories: " + m);
      }
    }
    assertEquals(List.of("none", "cache", "trime", "histalign"), modes);
    assertEquals(0, results.get(0).get("lambda").asDouble(), "no cache: lambda 0");
    assertTrue(results.get(1).get("lambda").isNumber(), "the untrained cache's tuned lambda");
    assertNull(results.get(2).get("lambda").numberValue(), "TRIME: the joint softmax, no lambda");
    assertTrue(r.text().contains("histalign"), "the table names every mode:\n" + r.text());
  }

  @Test
  void badOptionsAreOneLine() {
    fails(beyond("memory-task", "--cache", "0"), 2, "--cache must be >= 1");
    fails(beyond("memory-task", "--episodes", "10,2"), 2, "--episodes must be TRAIN,VALID,TEST");
  }
}
