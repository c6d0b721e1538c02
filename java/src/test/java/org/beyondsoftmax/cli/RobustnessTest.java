package org.beyondsoftmax.cli;

import static org.beyondsoftmax.testing.BeyondRun.beyond;
import static org.beyondsoftmax.testing.BeyondRun.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.beyondsoftmax.testing.BeyondRun;
import org.beyondsoftmax.testing.TinyLanguageModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad paths and inputs of train, eval and calibrate: each a one-line error that names the thing
 * at fault and a non-zero status, never a bare stack trace.
 */
class RobustnessTest {
  @TempDir
  static Path tmp;
  static Path model;

  @BeforeAll
  static void train() throws IOException {
    model = TinyLanguageModels.train(tmp.resolve("lm"), "softmax", 1);
  }

  @Test
  void corpusPathsThatDoNotExistOrHoldNoText() throws IOException {
    Path missing = tmp.resolve("no-such-corpus");
    fails(beyond("train", "--corpus", missing.toString(), "--out", tmp.resolve("a").toString()), 1,
        "beyond train: --corpus must be 'brown' or a directory", missing.toString());
    fails(beyond("eval", "--model", model.toString(), "--corpus", missing.toString()), 1, missing.toString());
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    for (String split : new String[] {"train", "valid", "test"}) {
      Files.writeString(empty.resolve(split + ".txt"), split.equals("valid") ? "\n\n" : "some words here\n");
    }
    fails(beyond("train", "--corpus", empty.toString(), "--out", tmp.resolve("b").toString()), 1,
        empty.resolve("valid.txt") + " holds no words");
  }

  @Test
  void missingOrCorruptModels() throws IOException {
    Path nothing = tmp.resolve("no-such-model");
    fails(beyond("eval", "--model", nothing.toString()), 2, "--model " + nothing + ": no model.json there");
    Path corrupt = tmp.resolve("corrupt");
    Files.createDirectories(corrupt);
    for (String f : new String[] {"model.json", "vocab.txt"}) {
      Files.copy(model.resolve(f), corrupt.resolve(f));
    }
    Files.writeString(corrupt.resolve("saved_model.pb"), "not a SavedModel");
    fails(beyond("eval", "--model", corrupt.toString()), 1, "beyond eval:");
    Path data = Files.writeString(tmp.resolve("data.jsonl"), "{\"ids\": [1, 2], \"label\": 1}\n");
    fails(beyond("calibrate", "--model", nothing.toString(), "--signature", "next_word", "--logits", "x",
        "--data", data.toString(), "--out", tmp.resolve("c1").toString()), 1, nothing.toString());
    fails(beyond("calibrate", "--model", model.toString(), "--signature", "nope", "--logits", "x",
        "--data", data.toString(), "--out", tmp.resolve("c2").toString()), 1, "no signature 'nope'");
    fails(beyond("calibrate", "--model", model.toString(), "--signature", "next_word", "--logits", "nope",
        "--data", data.toString(), "--out", tmp.resolve("c3").toString()), 1, "has no output 'nope'");
    fails(beyond("calibrate", "--model", model.toString(), "--signature", "next_word", "--logits",
        "log_probabilities", "--data", tmp.resolve("no-data.jsonl").toString(), "--out",
        tmp.resolve("c4").toString()), 1, "no such file or directory: " + tmp.resolve("no-data.jsonl"));
  }

  @Test
  void anOutThatHoldsASavedModelIsNeverOverwritten() throws IOException {
    Path taken = Files.createDirectories(tmp.resolve("taken"));
    Path pb = Files.writeString(taken.resolve("saved_model.pb"), "someone's model");
    Path data = Files.writeString(tmp.resolve("taken.jsonl"), "{\"ids\": [1, 2], \"label\": 1}\n");
    fails(beyond("calibrate", "--model", model.toString(), "--signature", "next_word", "--logits", "log_probabilities",
        "--data", data.toString(), "--out", taken.toString()), 2, "--out " + taken + " holds a SavedModel already");
    fails(beyond("export-cache", "--model", model.toString(), "--out", taken.toString(), "--cache", "5"), 2,
        "--out " + taken + " holds a SavedModel already");
    fails(beyond("export-cache", "--model", model.toString(), "--out", model.toString(), "--cache", "5"), 2,
        "--out must be another directory than --model");
    assertEquals("someone's model", Files.readString(pb), "left as it was");
  }

  @Test
  void resumingWithAnotherVocabularyIsRefused() throws IOException {
    Path text = TinyLanguageModels.corpus(tmp.resolve("resume-text"));
    Path run = tmp.resolve("resume-run");
    BeyondRun first = beyond("train", "--corpus", text.toString(), "--out", run.toString(), "--embed", "8", "--hidden", "8",
        "--bptt", "6", "--batch", "4", "--max-steps", "20");
    assertEquals(0, first.code(), first.text());
    Files.writeString(text.resolve("train.txt"), "a brand new word list\n", java.nio.file.StandardOpenOption.APPEND);
    fails(beyond("train", "--resume", run.toString()), 1, "cannot resume " + run,
        "another vocabulary", "resume with the run's corpus");
  }
}
