package org.beyondsoftmax.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import org.beyondsoftmax.corpus.Corpus;
import org.beyondsoftmax.corpus.TextCorpus;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.models.lm.ModelDirectory;
import org.beyondsoftmax.models.lm.SavedLanguageModel;
import org.beyondsoftmax.ops.testing.ChildJvm;
import org.beyondsoftmax.testing.TinyLanguageModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The training loop on a tiny corpus: a run interrupted (by max-steps mid-epoch, and by kill -9 of
 * another process) and resumed gives the uninterrupted run's validations and weights exactly, for
 * the LSTM and for a Transformer (with a per-head variable of its attention normaliser).
 */
class TrainerTest {
  static Stream<String> backbones() {
    return Stream.of("lstm", "transformer");
  }

  /** The tiny LSTM, or a one-block Transformer with learned-s scalable softmax attention. */
  static TrainSettings settings(String backbone, Path corpus, int epochs, long maxSteps) {
    return backbone.equals("lstm") ? settings(corpus, epochs, maxSteps)
        : TinyLanguageModels.transformer(corpus, "softmax", "ssmax:learn-s=true", epochs, maxSteps);
  }

  static Path corpus(Path dir) throws IOException {
    return TinyLanguageModels.corpus(dir);
  }

  static TrainSettings settings(Path corpus, int epochs, long maxSteps) {
    return settings(corpus, "softmax", epochs, maxSteps);
  }

  static TrainSettings settings(Path corpus, String head, int epochs, long maxSteps) {
    return TinyLanguageModels.settings(corpus, head, epochs, maxSteps);
  }

  static float[] probe(Path model) {
    int[] ids = {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6};
    try (SavedLanguageModel m = SavedLanguageModel.load(model)) {
      return m.logProbs(2, 6, ids, ids);
    }
  }

  @ParameterizedTest
  @MethodSource("backbones")
  void aResumedRunRepeatsAnUninterruptedOne(String backbone, @TempDir Path tmp) throws IOException {
    Path text = corpus(Files.createDirectories(tmp.resolve("text")));
    Corpus c = TextCorpus.load(text, 0);
    TrainState straight = new Trainer(tmp.resolve("straight"), c, TrainListener.SILENT)
        .run(settings(backbone, text, 3, 0));
    assertEquals(3, straight.history().size());
    assertTrue(straight.history().get(2).validPerplexity() < straight.history().get(0).validPerplexity() * 0.9,
        "validation perplexity falls: " + straight.history());
    // stop mid-epoch 2 (a partial checkpoint with the carried state), then resume to the end
    Path split = tmp.resolve("split");
    TrainState first = new Trainer(split, c, TrainListener.SILENT).run(settings(backbone, text, 3, 100));
    assertEquals(100, first.steps());
    assertEquals(settings(backbone, text, 3, 100), Trainer.settingsOf(split), "settings.json reads back");
    TrainState rest = new Trainer(split, c, TrainListener.SILENT).run(settings(backbone, text, 3, 0));
    List<Double> a = straight.history().stream().map(TrainState.Epoch::validPerplexity).toList();
    List<Double> b = rest.history().stream().filter(TrainState.Epoch::complete)
        .map(TrainState.Epoch::validPerplexity).toList();
    assertEquals(a, b, "the same validation perplexity after each epoch, bit for bit");
    assertArrayEquals(probe(tmp.resolve("straight")), probe(split), "the same exported model");
  }

  @Test
  void settingsOfRunsFromBeforeTheTransformerReadAsTheLstm(@TempDir Path tmp) throws IOException {
    TrainSettings lstm = settings(tmp, 3, 0);
    var json = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.valueToTree(lstm);
    assertEquals("lstm", json.get("backbone").asText());
    json.remove(List.of("backbone", "attention", "attentionHeads"));
    assertEquals(lstm, Json.MAPPER.treeToValue(json, TrainSettings.class), "no backbone fields: the LSTM");
    TrainSettings transformer = settings("transformer", tmp, 3, 0);
    assertEquals(transformer, Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(transformer), TrainSettings.class),
        "the attention spec reads back through the normalisers' registry");
  }

  @Test
  void aSparseHeadIsSelectedOnTheSmoothedPerplexity(@TempDir Path tmp) throws IOException {
    Path text = corpus(Files.createDirectories(tmp.resolve("text")));
    Corpus c = TextCorpus.load(text, 0);
    Path out = tmp.resolve("sparse");
    new Trainer(out, c, TrainListener.SILENT).run(settings(text, "sparsemax", 2, 50));
    TrainState done = new Trainer(out, c, TrainListener.SILENT).run(settings(text, "sparsemax", 2, 0));
    for (TrainState.Epoch e : done.history()) {
      assertTrue(Double.isFinite(e.validScore()) && e.validScore() >= 1, e.toString());
      assertTrue(e.validPerplexity() >= e.validScore() * 0.999, "smoothing lowers an infinite perplexity: " + e);
    }
    assertEquals(done.history().stream().mapToDouble(TrainState.Epoch::validScore).min().orElseThrow(),
        done.bestValid(), "the best checkpoint by smoothed perplexity");
  }

  @ParameterizedTest
  @MethodSource("backbones")
  void aRunKilledWithSigkillResumesWithoutLosingAnEpoch(String backbone, @TempDir Path tmp) throws Exception {
    Path text = corpus(Files.createDirectories(tmp.resolve("text")));
    Corpus c = TextCorpus.load(text, 0);
    int epochs = backbone.equals("lstm") ? 8 : 4;
    TrainSettings s = settings(backbone, text, epochs, 0);
    TrainState straight = new Trainer(tmp.resolve("straight"), c, TrainListener.SILENT).run(s);
    Path killed = tmp.resolve("killed");
    List<String> args = new ArrayList<>(List.of("train", "--corpus", text.toString(), "--out", killed.toString()));
    args.addAll(TinyLanguageModels.arguments(s));
    ProcessBuilder pb = ChildJvm.of("org.beyondsoftmax.cli.Main", args.toArray(new String[0]))
        .redirectOutput(tmp.resolve("child.log").toFile());
    Process p = pb.start();
    Path latest = new ModelDirectory(killed).checkpoints().resolve(Checkpoints.LATEST);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.exists(latest) && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    p.destroyForcibly(); // SIGKILL: no shutdown hooks, no chance to finish a write
    p.waitFor(30, TimeUnit.SECONDS);
    String log = Files.readString(tmp.resolve("child.log"), StandardCharsets.UTF_8);
    assertTrue(Files.exists(latest), "the child wrote a checkpoint before it was killed:\n" + log);
    int doneBeforeKill = new Checkpoints(new ModelDirectory(killed)).latest().orElseThrow().state().epoch();
    System.out.println("TrainerTest: killed the " + backbone + " training process after " + doneBeforeKill + " of "
        + epochs + " epochs");
    assertEquals(s, Trainer.settingsOf(killed), "the command line's settings are the test's");
    TrainState resumed = new Trainer(killed, c, TrainListener.SILENT).run(s);
    assertEquals(straight.history().stream().map(TrainState.Epoch::validPerplexity).toList(),
        resumed.history().stream().map(TrainState.Epoch::validPerplexity).toList(),
        "every epoch once, each with the uninterrupted run's validation perplexity");
    assertArrayEquals(probe(tmp.resolve("straight")), probe(killed), "the same exported model");
  }
}
