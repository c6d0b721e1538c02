package org.beyondsoftmax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.beyondsoftmax.bench.AttentionCases;
import org.beyondsoftmax.bench.BenchmarkCases;
import org.beyondsoftmax.testing.CommandLineRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beyond bench ops} end to end on a tiny shape, and its option validation. */
class BenchOpsCommandTest {
  @TempDir
  Path dir;

  private final CommandLineRun run = new CommandLineRun();

  @Test
  void benchesEveryOpAndWritesJson() throws Exception {
    Path json = dir.resolve("bench.json");
    int code = run.execute("bench", "ops", "--shapes", "64x50", "--attention-shapes", "2x2x6x6",
        "--rounds", "2", "--warmup", "1", "--json", json.toString());
    assertEquals(0, code, "exit code; stderr:\n" + run.err());
    assertFalse(Files.exists(dir.resolve("bench.json.tmp")), "temporary file left behind");
    JsonNode results = new ObjectMapper().readTree(json.toFile()).get("results");
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
    int code = run.execute("bench", "ops", "--shapes", "8x20", "--rounds", "1", "--warmup", "0",
        "--only", "sparsemax");
    assertEquals(0, code, "exit code; stderr:\n" + run.err());
    String table = run.out();
    assertTrue(table.contains("softmax_ce") && table.contains("sparsemax"), table);
    assertFalse(table.contains("entmax15"), table);
    assertFalse(table.contains("_attention"), "no attention op selected:\n" + table);
  }

  @Test
  void onlyAttentionOpsKeepTheirBaseline() {
    int code = run.execute("bench", "ops", "--attention-shapes", "1x2x5x5", "--rounds", "1",
        "--warmup", "0", "--only", "softpick_attention");
    assertEquals(0, code, "exit code; stderr:\n" + run.err());
    String table = run.out();
    assertTrue(table.contains("softmax_attention") && table.contains("softpick_attention"), table);
    assertTrue(table.contains("1x2x5x5"), table);
    assertFalse(table.contains("softmax_ce") || table.contains("sigmoid_attention"), table);
  }

  @Test
  void rejectsMalformedAttentionShapes() {
    int code = run.execute("bench", "ops", "--attention-shapes", "64x256");
    assertEquals(2, code);
    assertTrue(run.err().contains("--attention-shapes") && run.err().contains("BxHxTqxTk"),
        run.err());
  }

  @Test
  void rejectsZeroRounds() {
    int code = run.execute("bench", "ops", "--shapes", "8x20", "--rounds", "0");
    assertEquals(2, code);
    assertTrue(run.err().contains("--rounds"), run.err());
  }

  @Test
  void rejectsMalformedShapes() {
    int code = run.execute("bench", "ops", "--shapes", "64by50");
    assertEquals(2, code);
    assertTrue(run.err().contains("--shapes"), run.err());
  }

  @Test
  void rejectsUnknownOps() {
    int code = run.execute("bench", "ops", "--only", "nosuchmax");
    assertEquals(2, code);
    assertTrue(run.err().contains("--only") && run.err().contains("nosuchmax"),
        run.err());
  }
}
