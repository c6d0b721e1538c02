package org.beyondsoftmax.cli;

import static org.beyondsoftmax.testing.BeyondRun.beyond;
import static org.beyondsoftmax.testing.BeyondRun.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.models.cache.CacheSettings;
import org.beyondsoftmax.models.lm.ModelDirectory;
import org.beyondsoftmax.ops.PortableGraphs;
import org.beyondsoftmax.testing.BeyondRun;
import org.beyondsoftmax.testing.TinyLanguageModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;

/**
 * The cache head on the command line, on the small bursty corpus of the test resources
 * ({@code corpus/cache-mini}: 160/30/30 paragraphs of six template sentences, each paragraph
 * repeating two of 120 invented names and two of 80 invented things): a short
 * seeded model evaluated with {@code --cache 100 --cache-lambda 0.1 --cache-theta 0.3} has a lower
 * validation perplexity than without, {@code --tune-cache} finds lambda and theta (and the graph
 * gives the perplexity the search computed), training with HistAlign exports a cached model, and
 * every bad option or model is one line with status 2 or 1.
 */
class CacheCommandsTest {
  @TempDir
  static Path tmp;
  static Path corpus;
  static Path model;

  @BeforeAll
  static void train() throws IOException, URISyntaxException {
    corpus = Path.of(CacheCommandsTest.class.getResource("/corpus/cache-mini").toURI());
    model = tmp.resolve("lm");
    BeyondRun r = beyond("train", "--corpus", corpus.toString(), "--out", model.toString(), "--embed", "16",
        "--hidden", "16", "--bptt", "10", "--batch", "8", "--eval-batch", "4", "--epochs", "2", "--lr", "0.01",
        "--seed", "1");
    assertEquals(0, r.code(), r.text());
  }

  static JsonNode eval(String name, String... options) throws IOException {
    return evalOf(model, name, options);
  }

  @Test
  void theCacheLowersTheValidationPerplexityOfAShortSeededModel() throws IOException {
    JsonNode plain = eval("plain");
    JsonNode cached = eval("cached", "--cache", "100", "--cache-lambda", "0.1", "--cache-theta", "0.3");
    double without = plain.get("perplexity").asDouble();
    assertEquals(without, cached.get("perplexity_without_cache").asDouble(), 1e-4 * without,
        "the rebuilt graph's head is the SavedModel's");
    double with = cached.get("perplexity").asDouble();
    System.out.printf("CacheCommandsTest: cache-mini valid perplexity %.3f without the cache, %.3f with L = 100, "
        + "lambda 0.1, theta 0.3; mean rank of the right memory %.2f%n", without, with,
        cached.get("mean_memory_rank").asDouble());
    assertTrue(with < without, "the cache helps: " + with + " < " + without);
    assertEquals(100, cached.at("/cache/size").asInt());
    assertTrue(cached.get("mean_memory_rank").asDouble() >= 1);
  }

  @Test
  void tuneCacheFindsLambdaAndThetaOnValidation() throws IOException {
    JsonNode tuned = eval("tuned", "--cache", "100", "--tune-cache", "--tune-lambdas", "0,0.05,0.1,0.2,0.4",
        "--tune-thetas", "0.1,0.3,1");
    JsonNode grid = tuned.at("/tuning/grid");
    assertEquals(15, grid.size());
    JsonNode best = null;
    for (JsonNode p : grid) {
      if (best == null || p.get("perplexity").asDouble() < best.get("perplexity").asDouble()) {
        best = p;
      }
    }
    assertNotNull(best);
    assertEquals(best.get("lambda").asDouble(), tuned.at("/tuning/lambda").asDouble());
    assertEquals(best.get("theta").asDouble(), tuned.at("/tuning/theta").asDouble());
    assertEquals(best.get("lambda").asDouble(), tuned.at("/cache/lambda").asDouble(), "evaluated with the choice");
    assertTrue(best.get("lambda").asDouble() > 0, "the cache is chosen: " + best);
    double graph = tuned.get("perplexity").asDouble();
    assertEquals(best.get("perplexity").asDouble(), graph, 1e-4 * graph,
        "the graph's mixture is the one the search scored in Java");
  }

  @Test
  void trainingWithHistAlignExportsAModelWithItsCache() throws IOException {
    Path run = tmp.resolve("histalign");
    BeyondRun r = beyond("train", "--corpus", corpus.toString(), "--out", run.toString(), "--embed", "8",
        "--hidden", "8", "--bptt", "6", "--batch", "4", "--epochs", "1", "--max-steps", "15", "--seed", "2",
        "--cache", "12", "--cache-train", "histalign", "--histalign-margin", "0.01");
    assertEquals(0, r.code(), r.text());
    JsonNode info = Json.read(run.resolve(ModelDirectory.MODEL_INFO), JsonNode.class);
    assertEquals("HISTALIGN", info.at("/settings/cache/training").asText());
    assertEquals(CacheSettings.DEFAULT_TRAINED_THETA, info.at("/settings/cache/theta").asDouble(), 1e-12);
    try (SavedModelBundle b = SavedModelBundle.load(run.toString(), SavedModelBundle.DEFAULT_TAG)) {
      assertEquals(Set.of(), PortableGraphs.foreignOps(b.graph()));
      float[] p = TinyLanguageModels.nextWord(b, new int[] {3, 4, 5});
      assertEquals(1, java.util.stream.IntStream.range(0, p.length).mapToDouble(i -> p[i]).sum(), 1e-4,
          "next_word: a distribution");
    }
    JsonNode own = evalOf(run, "own");
    assertEquals(12, own.at("/cache/size").asInt(), "the model's own cache, from model.json");
    JsonNode wider = evalOf(run, "wider", "--cache", "20");
    assertEquals(20, wider.at("/cache/size").asInt());
    assertTrue(wider.get("joint").asBoolean(), "trained with HistAlign: TRIME's joint softmax");
    assertTrue(wider.get("perplexity").asDouble() > 1, "a finite perplexity: " + wider);
  }

  private static JsonNode evalOf(Path run, String name, String... options) throws IOException {
    Path json = tmp.resolve(run.getFileName() + "-" + name + ".json");
    String[] args = new String[options.length + 7];
    System.arraycopy(new String[] {"eval", "--model", run.toString(), "--split", "valid", "--json",
        json.toString()}, 0, args, 0, 7);
    System.arraycopy(options, 0, args, 7, options.length);
    BeyondRun r = beyond(args);
    assertEquals(0, r.code(), r.text());
    return Json.read(json, JsonNode.class);
  }

  @Test
  void badCacheOptionsAndModelsAreOneLine() throws IOException {
    String m = model.toString();
    fails(beyond("eval", "--model", m, "--cache", "0"), 2, "--cache must be >= 1");
    fails(beyond("eval", "--model", m, "--cache", "10", "--cache-lambda", "1.5"), 2, "--cache-lambda must be in [0, 1]");
    fails(beyond("eval", "--model", m, "--cache", "10", "--cache-theta", "0"), 2, "--cache-theta must be finite and > 0");
    fails(beyond("eval", "--model", m, "--cache", "10", "--tune-cache", "--cache-lambda", "0.2"), 2,
        "--tune-cache or --cache-lambda");
    fails(beyond("eval", "--model", m, "--tune-cache", "--cache", "5", "--tune-thetas", "0.3,-1"), 2,
        "--tune-thetas must each be finite and > 0");
    fails(beyond("eval", "--model", m, "--cache-lambda", "0.2"), 2, "give --cache L");
    fails(beyond("train", "--corpus", corpus.toString(), "--out", tmp.resolve("x").toString(), "--cache-train",
        "trime"), 2, "need --cache L");
    fails(beyond("train", "--corpus", corpus.toString(), "--out", tmp.resolve("x").toString(), "--cache", "5",
        "--cache-train", "knn"), 2, "--cache-train must be trime or histalign");
    fails(beyond("train", "--corpus", corpus.toString(), "--out", tmp.resolve("x").toString(), "--cache", "5",
        "--cache-train", "histalign", "--histalign-weight", "-1"), 2, "--histalign-weight must be finite and >= 0");
    fails(beyond("train", "--corpus", corpus.toString(), "--out", tmp.resolve("x").toString(), "--cache", "5",
        "--backbone", "transformer"), 2, "--cache needs --backbone lstm", "got --backbone transformer");
    fails(beyond("export-cache", "--model", m, "--out", tmp.resolve("y").toString()), 2, "give --cache L");
    // a model directory whose model.json cannot rebuild the hidden states (no training settings)
    Path foreign = tmp.resolve("foreign");
    Files.createDirectories(foreign.resolve(ModelDirectory.VARIABLES));
    for (String f : new String[] {ModelDirectory.SAVED_MODEL, ModelDirectory.VOCABULARY}) {
      Files.copy(model.resolve(f), foreign.resolve(f));
    }
    try (var files = Files.list(model.resolve(ModelDirectory.VARIABLES))) {
      for (Path f : files.toList()) {
        Files.copy(f, foreign.resolve(ModelDirectory.VARIABLES).resolve(f.getFileName()));
      }
    }
    ObjectNode info = (ObjectNode) Json.read(model.resolve(ModelDirectory.MODEL_INFO), JsonNode.class);
    info.set("settings", NullNode.getInstance());
    Json.write(foreign.resolve(ModelDirectory.MODEL_INFO), info);
    fails(beyond("export-cache", "--model", foreign.toString(), "--cache", "5", "--out", tmp.resolve("z").toString()),
        1, "the export lacks the hidden states a cache needs");
  }
}
