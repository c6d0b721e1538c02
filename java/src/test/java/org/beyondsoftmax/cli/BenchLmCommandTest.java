package org.beyondsoftmax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.beyondsoftmax.testing.CommandLineRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beyond bench lm} end to end on the tiny text corpus, and its option validation. */
class BenchLmCommandTest {
  static final Path CORPUS = Path.of("src", "test", "resources", "corpus", "text-mini");

  @TempDir
  Path dir;

  private final CommandLineRun run = new CommandLineRun();

  @Test
  void timesEveryHeadAgainstTheFloorAndWritesJson() throws Exception {
    Path json = dir.resolve("lm.json");
    int code = run.execute("bench", "lm", "--corpus", CORPUS.toString(), "--heads", "softmax,plif:knots=50,entmax",
        "--embed", "8", "--hidden", "8", "--bptt", "5", "--batch", "4", "--rounds", "3", "--warmup", "1",
        "--batches", "3", "--json", json.toString());
    assertEquals(0, code, "exit code; stderr:\n" + run.err());
    JsonNode report = new ObjectMapper().readTree(json.toFile());
    double floor = report.get("floor_ms_per_step").asDouble();
    assertTrue(floor > 0, "the floor was timed: " + report);
    List<String> heads = new ArrayList<>();
    for (JsonNode r : report.get("results")) {
      String head = r.get("head").asText();
      heads.add(head);
      double ms = r.get("ms_per_step").asDouble();
      assertTrue(ms > 0, head);
      assertEquals(4 * 5 / (ms / 1000), r.get("tokens_per_second").asDouble(), 1e-6 * r.get("tokens_per_second").asDouble(), head);
      assertEquals(ms / floor, r.get("ratio_to_floor").asDouble(), 1e-9, head);
    }
    assertEquals(List.of("softmax", "plif:knots=50", "entmax"), heads);
    assertEquals(1.0, report.get("results").get(0).get("ratio_to_softmax").asDouble(), 0.0, "the baseline");
    assertTrue(run.out().contains("floor (matrix products only)"), run.out());
  }

  @Test
  void badOptionsAreOneLineAndExitTwo() {
    assertEquals(2, run.execute("bench", "lm", "--corpus", CORPUS.toString(), "--heads", "nosuch"));
    assertTrue(run.err().contains("--heads: unknown head 'nosuch'"), run.err());
    assertEquals(2, run.execute("bench", "lm", "--corpus", CORPUS.toString(), "--bptt", "0"));
    assertTrue(run.err().contains("--bptt must be >= 1, got 0"), run.err());
  }
}
