package org.beyondsoftmax.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.beyondsoftmax.corpus.Corpus;
import org.beyondsoftmax.corpus.TextCorpus;
import org.beyondsoftmax.models.lm.ModelDirectory;
import org.beyondsoftmax.models.lm.SavedLanguageModel;
import org.beyondsoftmax.ops.testing.ChildJvm;
import org.beyondsoftmax.testing.TinyLanguageModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training loop on a tiny corpus: a run interrupted (by max-steps mid-epoch, and by kill -9 of
 * another process) and resumed gives the uninterrupted run's validations and weights exactly.
 */
class TrainerTest {
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

  @Test
  void aResumedRunRepeatsAnUninterruptedOne(@TempDir Path tmp) throws IOException {
    Path text = corpus(Files.createDirectories(tmp.resolve("text")));
    Corpus c = TextCorpus.load(text, 0);
    TrainState straight = new Trainer(tmp.resolve("straight"), c, TrainListener.SILENT).run(settings(text, 3, 0));
    assertEquals(3, straight.history().size());
    assertTrue(straight.history().get(2).validPerplexity() < straight.history().get(0).validPerplexity() * 0.9,
        "validation perplexity falls: " + straight.history());
    // stop mid-epoch 2 (a partial checkpoint with the carried state), then resume to the end
    Path split = tmp.resolve("split");
    TrainState first = new Trainer(split, c, TrainListener.SILENT).run(settings(text, 3, 100));
    assertEquals(100, first.steps());
    TrainState rest = new Trainer(split, c, TrainListener.SILENT).run(settings(text, 3, 0));
    List<Double> a = straight.history().stream().map(TrainState.Epoch::validPerplexity).toList();
    List<Double> b = rest.history().stream().filter(TrainState.Epoch::complete)
        .map(TrainState.Epoch::validPerplexity).toList();
    assertEquals(a, b, "the same validation perplexity after each epoch, bit for bit");
    assertArrayEquals(probe(tmp.resolve("straight")), probe(split), "the same exported model");
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

  @Test
  void aRunKilledWithSigkillResumesWithoutLosingAnEpoch(@TempDir Path tmp) throws Exception {
    Path text = corpus(Files.createDirectories(tmp.resolve("text")));
    Corpus c = TextCorpus.load(text, 0);
    int epochs = 8;
    TrainState straight = new Trainer(tmp.resolve("straight"), c, TrainListener.SILENT).run(settings(text, epochs, 0));
    Path killed = tmp.resolve("killed");
    TrainSettings s = settings(text, epochs, 0);
    ProcessBuilder pb = ChildJvm.of("org.beyondsoftmax.cli.Main", "train", "--corpus", text.toString(), "--out", killed.toString(), "--head", s.head().toString(), "--embed", "8", "--hidden", "8",
        "--layers", "1", "--bptt", "6", "--batch", "4", "--eval-batch", "3", "--optimizer", "adam", "--lr", "0.02",
        "--clip", "1.0", "--dropout", "0.1", "--epochs", String.valueOf(epochs), "--lr-decay", "0.5",
        "--patience", "3", "--seed", "3", "--top-k", "3").redirectOutput(tmp.resolve("child.log").toFile());
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
    System.out.println("TrainerTest: killed the training process after " + doneBeforeKill + " of " + epochs
        + " epochs");
    TrainState resumed = new Trainer(killed, c, TrainListener.SILENT).run(s);
    assertEquals(straight.history().stream().map(TrainState.Epoch::validPerplexity).toList(),
        resumed.history().stream().map(TrainState.Epoch::validPerplexity).toList(),
        "every epoch once, each with the uninterrupted run's validation perplexity");
    assertArrayEquals(probe(tmp.resolve("straight")), probe(killed), "the same exported model");
  }
}
