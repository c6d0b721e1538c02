package org.beyondsoftmax.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.beyondsoftmax.bottleneck.BottleneckSettings;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.testing.CommandLineRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beyond bottleneck} end to end on a tiny problem, its files, and its option errors. */
class BottleneckCommandTest {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir
  Path dir;

  private final CommandLineRun run = new CommandLineRun();

  @Test
  void runsPrintsTheTableAndWritesJsonAndFigures() throws Exception {
    Path json = dir.resolve("out/results.json");
    Path plot = dir.resolve("out/bottleneck.png");
    int code = run.execute("bottleneck", "--contexts", "40", "--classes", "12", "--dims", "2,4",
        "--heads", "softmax;plif:knots=500,range=10;sparsemax", "--steps", "20", "--seed", "3",
        "--json", json.toString(), "--plot", plot.toString(), "--diagnostics", dir.resolve("diag").toString());
    assertEquals(0, code, "exit code; stderr:\n" + run.err());
    JsonNode root = new ObjectMapper().readTree(json.toFile());
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
    assertEquals(2, run.execute("bottleneck", "--heads", "softmax,nosuch"));
    assertTrue(run.err().contains("unknown head 'nosuch'; valid heads: softmax, sigsoftmax"), run.err());
    assertEquals(2, run.execute("bottleneck", "--heads", "plif:knot=3"));
    assertTrue(run.err().contains("unknown option 'knot'; valid options: knots, range"), run.err());
    assertEquals(2, run.execute("bottleneck", "--contexts", "1"));
    assertTrue(run.err().contains("contexts must be >= 2, got 1"), run.err());
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
    // measured: about 80 s of training on 2 cores for 24 runs x 500 steps at N=500, M=200
    assertTrue((long) s.runs() * s.steps() * s.contexts() * s.classes().get(0) <= 24L * 500 * 500 * 200,
        "the demo must stay within about 3 minutes on 2 cores");
  }
}
