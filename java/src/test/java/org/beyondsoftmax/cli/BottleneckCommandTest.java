package org.beyondsoftmax.cli;

import static org.beyondsoftmax.testing.BeyondRun.beyond;
import static org.beyondsoftmax.testing.BeyondRun.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.beyondsoftmax.bottleneck.BottleneckSettings;
import org.beyondsoftmax.models.heads.Heads;
import org.junit.jupiter.api.Test;

/** {@code beyond bottleneck} end to end on a tiny problem, its files, and its option errors. */
class BottleneckCommandTest extends CommandRunTest {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @Test
  void runsPrintsTheTableAndWritesJsonAndFigures() throws Exception {
    Path plot = dir.resolve("out/bottleneck.png");
    JsonNode root = report("out/results.json", "bottleneck", "--contexts", "40", "--classes", "12", "--dims", "2,4",
        "--heads", "softmax;plif:knots=500,range=10;sparsemax", "--steps", "20", "--seed", "3",
        "--plot", plot.toString(), "--diagnostics", dir.resolve("diag").toString());
    JsonNode results = root.get("results");
    assertEquals(6, results.size(), "2 dims x 3 heads");
    for (JsonNode r : results) {
      for (String field : List.of("head", "dims", "classes", "contexts", "kl", "mode_match",
          "log_prob_rank", "params", "train_seconds", "rank_tolerance")) {
        assertTrue(r.has(field), "field " + field + " in " + r);
      }
      assertEquals(12, r.get("classes").asInt());
      assertEquals(40, r.get("contexts").asInt());
      double match = r.get("mode_match").asDouble();
      assertTrue(match >= 0 && match <= 100, "mode_match in percent: " + match);
      assertEquals(r.get("head").asText().equals("sparsemax"), r.has("kl_smoothing"), r.toString());
    }
    assertEquals("plif:knots=500,range=10", results.get(1).get("head").asText());
    assertEquals(List.of(2, 4), List.of(results.get(0).get("dims").asInt(), results.get(3).get("dims").asInt()));
    assertEquals(3, root.get("settings").get("seed").asInt());
    assertEquals(BottleneckSettings.DEFAULT_CONTEXT_INIT_STD,
        root.get("settings").get("context_init_std").asDouble(), 0.0, "the contexts' start is recorded");
    for (Path png : List.of(plot, dir.resolve("diag/plif-function.png"), dir.resolve("diag/spectrum.png"))) {
      byte[] bytes = Files.readAllBytes(png);
      assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, 8), png + " is a PNG");
      assertTrue(run.err().contains(png.toAbsolutePath().normalize().toString()), "says where " + png + " is");
      assertFalse(Files.exists(png.resolveSibling(png.getFileName() + ".tmp")), "temporary file left behind");
    }
    String table = run.out();
    assertTrue(table.contains("KL(P*||Q)") && table.contains("mode%") && table.contains("plif:knots=500,range=10"), table);
    assertTrue(table.contains("learned PLIF slopes") && table.contains("support size"), table);
    assertTrue(table.contains("eps = 1.0E-4"), "the smoothing is stated:\n" + table);
  }

  @Test
  void unknownHeadsAndOptionsListTheValidOnes() {
    fails(beyond("bottleneck", "--heads", "softmax,nosuch"), 2, "unknown head 'nosuch'; valid heads: softmax, sigsoftmax");
    fails(beyond("bottleneck", "--heads", "plif:knot=3"), 2, "unknown option 'knot'; valid options: knots, range");
    fails(beyond("bottleneck", "--contexts", "1"), 2, "contexts must be >= 2, got 1");
    fails(beyond("bottleneck", "--context-init", "0"), 2, "context init std must be finite and > 0, got 0.0");
  }

  @Test
  void listHeadsPrintsEveryHead() {
    assertEquals(0, run.execute("bottleneck", "--list-heads"));
    for (String name : Heads.names()) {
      assertTrue(run.out().contains(name), name);
    }
  }

  @Test
  void theDemoSettingsAreValidAndSmallEnough() {
    BottleneckSettings s = new DemoCommand().settings(42);
    assertEquals(Heads.parseList("softmax,sigsoftmax,mos,plif,sparsemax,entmax"), s.heads());
    assertEquals(0.1, s.contextInitStd(), 0.0, "contexts start normal(0, 0.1^2), as bottleneck's default");
    // measured: about 80 s of training on 2 cores for 24 runs x 500 steps at N=500, M=200
    assertTrue((long) s.runs() * s.steps() * s.contexts() * s.classes().get(0) <= 24L * 500 * 500 * 200,
        "the demo must stay within about 3 minutes on 2 cores");
  }
}
