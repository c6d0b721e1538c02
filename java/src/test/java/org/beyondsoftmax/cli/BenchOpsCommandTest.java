package org.beyondsoftmax.cli;

import static org.beyondsoftmax.testing.BeyondRun.beyond;
import static org.beyondsoftmax.testing.BeyondRun.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Set;
import org.beyondsoftmax.bench.AttentionCases;
import org.beyondsoftmax.bench.BenchmarkCases;
import org.junit.jupiter.api.Test;

/** {@code beyond bench ops} end to end on a tiny shape, and its option validation. */
class BenchOpsCommandTest extends CommandRunTest {
  @Test
  void benchesEveryOpAndWritesJson() throws Exception {
    JsonNode results = report("bench.json", "bench", "ops", "--shapes", "64x50", "--attention-shapes", "2x2x6x6",
        "--rounds", "2", "--warmup", "1").get("results");
    assertFalse(Files.exists(dir.resolve("bench.json.tmp")), "temporary file left behind");
    Set<String> seen = new HashSet<>();
    for (JsonNode r : results) {
      String op = r.get("op").asText();
      seen.add(op);
      boolean attention = AttentionCases.names().contains(op);
      assertEquals(attention ? "[2,2,6,6]" : "[64,50]", r.get("shape").toString(), op);
      assertEquals(attention ? AttentionCases.BASELINE : BenchmarkCases.BASELINE,
          r.get("baseline").asText(), op);
      assertTrue(r.get("median_ms").asDouble() > 0, op + ": median_ms > 0");
      assertTrue(r.get("ratio").asDouble() > 0, op + ": ratio > 0");
      if (op.equals(BenchmarkCases.BASELINE) || op.equals(AttentionCases.BASELINE)) {
        assertEquals(1.0, r.get("ratio").asDouble(), 0.0);
      }
    }
    Set<String> all = new HashSet<>(BenchmarkCases.names());
    all.addAll(AttentionCases.names());
    assertEquals(all, seen);
    assertTrue(run.out().contains("median ms"), "table on stdout:\n" + run.out());
    assertTrue(run.err().contains("warming up sparsemax [64x50]..."), "progress:\n" + run.err());
  }

  @Test
  void onlyKeepsTheBaseline() {
    succeeds("bench", "ops", "--shapes", "8x20", "--rounds", "1", "--warmup", "0", "--only", "sparsemax");
    String table = run.out();
    assertTrue(table.contains("softmax_ce") && table.contains("sparsemax"), table);
    assertFalse(table.contains("entmax15"), table);
    assertFalse(table.contains("_attention"), "no attention op selected:\n" + table);
  }

  @Test
  void onlyAttentionOpsKeepTheirBaseline() {
    succeeds("bench", "ops", "--attention-shapes", "1x2x5x5", "--rounds", "1", "--warmup", "0", "--only",
        "softpick_attention");
    String table = run.out();
    assertTrue(table.contains("softmax_attention") && table.contains("softpick_attention"), table);
    assertTrue(table.contains("1x2x5x5"), table);
    assertFalse(table.contains("softmax_ce") || table.contains("sigmoid_attention"), table);
  }

  @Test
  void rejectsBadOptionsNamingThem() {
    fails(beyond("bench", "ops", "--attention-shapes", "64x256"), 2, "--attention-shapes", "BxHxTqxTk");
    fails(beyond("bench", "ops", "--shapes", "8x20", "--rounds", "0"), 2, "--rounds");
    fails(beyond("bench", "ops", "--shapes", "64by50"), 2, "--shapes");
    fails(beyond("bench", "ops", "--only", "nosuchmax"), 2, "--only", "nosuchmax");
  }
}
