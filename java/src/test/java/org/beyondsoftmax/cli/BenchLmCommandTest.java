package org.beyondsoftmax.cli;

import static org.beyondsoftmax.testing.BeyondRun.beyond;
import static org.beyondsoftmax.testing.BeyondRun.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code beyond bench lm} end to end on the tiny text corpus, and its option validation. */
class BenchLmCommandTest extends CommandRunTest {
  static final Path CORPUS = Path.of("src", "test", "resources", "corpus", "text-mini");

  @Test
  void timesEveryHeadAgainstTheFloorAndWritesJson() throws Exception {
    JsonNode report = report("lm.json", "bench", "lm", "--corpus", CORPUS.toString(), "--heads",
        "softmax,plif:knots=50,entmax", "--embed", "8", "--hidden", "8", "--bptt", "5", "--batch", "4", "--rounds", "3",
        "--warmup", "1", "--batches", "3");
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
  void profilesSayWhereEachHeadsStepSpendsItsTime() throws Exception {
    JsonNode profiles = report("profile.json", "bench", "lm", "--corpus", CORPUS.toString(), "--heads",
        "softmax,entmax", "--embed", "8", "--hidden", "8", "--bptt", "5", "--batch", "4", "--rounds", "1", "--warmup",
        "0", "--batches", "2", "--profile", "2", "--profile-top", "5").get("profiles");
    assertEquals(List.of("softmax", "entmax"), fieldNames(profiles));
    for (String head : List.of("softmax", "entmax")) {
      JsonNode p = profiles.get(head);
      assertEquals(2, p.get("steps").asInt(), head);
      double total = p.get("total_ms").asDouble();
      assertTrue(total > 0, head + ": " + p);
      JsonNode types = p.get("op_types");
      assertEquals(5, types.size(), head + ": the top 5 op types");
      double shares = 0;
      double previous = Double.POSITIVE_INFINITY;
      for (JsonNode t : types) {
        double ms = t.get("ms").asDouble();
        assertTrue(ms <= previous, head + ": longest first: " + types);
        assertEquals(ms / total, t.get("share").asDouble(), 1e-9, head);
        previous = ms;
        shares += t.get("share").asDouble();
      }
      assertTrue(shares <= 1 + 1e-9, head + ": shares of the total: " + shares);
      assertEquals(5, p.get("nodes").size(), head);
      assertTrue(run.out().contains("where the step of " + head + " spends its time"), run.out());
    }
    // the profiled training step runs the head's loss: its nodes are among the step's
    assertTrue(types(profiles.get("entmax")).contains("MatMul"), profiles.toString());
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> types(JsonNode profile) {
    List<String> names = new ArrayList<>();
    profile.get("op_types").forEach(t -> names.add(t.get("name").asText()));
    return names;
  }

  @Test
  void badOptionsAreOneLineAndExitTwo() {
    fails(beyond("bench", "lm", "--corpus", CORPUS.toString(), "--heads", "nosuch"), 2, "--heads: unknown head 'nosuch'");
    fails(beyond("bench", "lm", "--corpus", CORPUS.toString(), "--bptt", "0"), 2, "--bptt must be >= 1, got 0");
    fails(beyond("bench", "lm", "--corpus", CORPUS.toString(), "--profile", "-1"), 2, "--profile must be >= 0, got -1");
    fails(beyond("bench", "lm", "--corpus", CORPUS.toString(), "--profile-top", "0"), 2,
        "--profile-top must be >= 1, got 0");
  }
}
