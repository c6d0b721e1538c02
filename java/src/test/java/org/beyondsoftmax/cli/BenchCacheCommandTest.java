package org.beyondsoftmax.cli;

import static org.beyondsoftmax.testing.BeyondRun.beyond;
import static org.beyondsoftmax.testing.BeyondRun.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.beyondsoftmax.bench.CacheBenchmark;
import org.junit.jupiter.api.Test;

/** {@code beyond bench cache} end to end on a tiny language model, and its option validation. */
class BenchCacheCommandTest extends CommandRunTest {
  static final int H = 6;
  static final int L = 5;
  static final int B = 2;

  @Test
  void timesEveryVariantAgainstNoCacheAndReportsTheCarriedState() throws Exception {
    JsonNode report = report("cache.json", "bench", "cache", "--vocabulary", "30", "--hidden", "" + H, "--bptt", "4",
        "--batch", "" + B, "--cache", "" + L, "--rounds", "2", "--warmup", "1");
    assertEquals(0, report.get("failed").size(), "failures: " + report.get("failed"));
    Set<String> ops = new LinkedHashSet<>();
    for (JsonNode r : report.get("results")) {
      String op = r.get("op").asText();
      ops.add(op);
      String kind = op.substring(0, op.indexOf(' '));
      assertEquals(kind + " none", r.get("baseline").asText(), op);
      assertEquals("[2,4,30,5]", r.get("shape").toString(), op);
      assertTrue(r.get("median_ms").asDouble() > 0, op + ": median_ms > 0");
      if (op.endsWith(" none")) {
        assertEquals(1.0, r.get("ratio").asDouble(), 0.0, op);
      } else {
        assertTrue(r.get("ratio").asDouble() > 0, op + ": ratio > 0");
      }
    }
    Set<String> expected = new LinkedHashSet<>();
    for (String v : CacheBenchmark.VARIANTS) {
      expected.add("train " + v);
      expected.add("eval " + v);
    }
    assertEquals(expected, ops);
    List<String> variants = new ArrayList<>();
    for (JsonNode m : report.get("memory")) {
      String v = m.get("variant").asText();
      variants.add(v);
      long floats = m.get("state_floats_per_row").asLong();
      // the LSTM's h and c (2 H); with a cache also L keys of H and L words
      assertEquals(v.equals("none") ? 2 * H : 2 * H + L * (H + 1), floats, v);
      assertEquals(floats * 4 * B, m.get("state_bytes_per_batch").asLong(), v);
    }
    assertEquals(CacheBenchmark.VARIANTS, variants);
    assertTrue(run.out().contains("median ms"), "table on stdout:\n" + run.out());
    assertTrue(run.out().contains("state carried by trime:"), run.out());
  }

  @Test
  void rejectsBadOptionsNamingThem() {
    fails(beyond("bench", "cache", "--vocabulary", "1"), 2, "--vocabulary must be >= 2, got 1");
    fails(beyond("bench", "cache", "--hidden", "0"), 2, "--hidden must be >= 1, got 0");
    fails(beyond("bench", "cache", "--bptt", "0"), 2, "--bptt must be >= 1, got 0");
    fails(beyond("bench", "cache", "--batch", "0"), 2, "--batch must be >= 1, got 0");
    fails(beyond("bench", "cache", "--cache", "0"), 2, "--cache must be >= 1, got 0");
    fails(beyond("bench", "cache", "--rounds", "0"), 2, "--rounds");
    fails(beyond("bench", "cache", "--head", "nosuchhead"), 2, "nosuchhead");
  }
}
