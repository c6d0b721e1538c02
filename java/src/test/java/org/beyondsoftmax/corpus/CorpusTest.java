package org.beyondsoftmax.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Brown reader and protocol, the text-directory loader, and the vocabulary, on tiny files. */
class CorpusTest {
  static Path resource(String name) {
    try {
      return Path.of(CorpusTest.class.getResource("/corpus/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void brownFilesAreReadInNameOrderWithTagsStripped() throws IOException {
    List<String> words = BrownCorpus.words(resource("brown-mini/package"));
    assertEquals(List.of("The", "cat", "sat", "on", "the", "mat", ".", "The", "dog", "sat", ".",
        "A", "cat", "ran", "1-1/2", "miles", ".", "the", "cat", "sat", "again", ".", "The", "end", "."), words,
        "files ca01, ca02, cb01 (README ignored); word/tag split at the last '/'; case kept");
    assertEquals(words, BrownCorpus.words(resource("brown-mini.tgz")), "the npm tarball reads the same");
  }

  @Test
  void theProtocolSplitsByWordCountAndMapsRareTrainingWordsToUnk() throws IOException {
    Corpus c = BrownCorpus.load(resource("brown-mini.tgz"), new BrownCorpus.Protocol(11, 6, 1));
    // training counts: The 2, sat 2, . 2; cat, on, the, mat, dog once each -> <unk> (5 tokens)
    assertEquals(List.of(Vocabulary.UNK, ".", "The", "sat"), c.vocabulary().words(),
        "kept words by count (then code point order), <unk> ranked by the tokens it replaces");
    assertArrayEquals(new int[] {2, 0, 3, 0, 0, 0, 1, 2, 0, 3, 1}, c.train());
    assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1}, c.valid());
    assertArrayEquals(new int[] {0, 0, 3, 0, 1, 2, 0, 1}, c.test(), "the rest is test");
    assertEquals(5 / 11.0, c.unknownRate("train"));
  }

  @Test
  void aTextDirectoryEndsLinesWithEosAndKeepsEveryTrainingWord() throws IOException {
    Corpus c = TextCorpus.load(resource("text-mini"), 0);
    assertEquals(List.of(TextCorpus.EOS, "the", "cat", "sat", "dog", "ran", Vocabulary.UNK), c.vocabulary().words());
    assertArrayEquals(new int[] {1, 2, 3, 0, 1, 4, 3, 0, 0, 1, 2, 5, 0}, c.train(), "an empty line is one <eos>");
    assertArrayEquals(new int[] {1, 6, 3, 0}, c.valid(), "'bird' is unknown");
    assertArrayEquals(new int[] {6, 2, 3, 0}, c.test());
    Corpus rare = TextCorpus.load(resource("text-mini"), 1);
    assertEquals(List.of(TextCorpus.EOS, "the", Vocabulary.UNK, "cat", "sat"), rare.vocabulary().words());
    assertEquals(c, Corpora.load(resource("text-mini").toString(), Path.of("unused"), 0, null));
  }

  @Test
  void aTextDirectoryNeedsOneFilePerSplit(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("train.txt"), "a b\n");
    Files.writeString(dir.resolve("valid.txt"), "a\n");
    IOException e = assertThrows(IOException.class, () -> TextCorpus.load(dir, 0));
    assertTrue(e.getMessage().contains("'test'"), e.getMessage());
    Files.writeString(dir.resolve("test.txt"), "b\n");
    Files.writeString(dir.resolve("test2.txt"), "b\n");
    e = assertThrows(IOException.class, () -> TextCorpus.load(dir, 0));
    assertTrue(e.getMessage().contains("[test.txt, test2.txt]"), e.getMessage());
  }

  @Test
  void aVocabularyRoundTripsThroughItsFile(@TempDir Path dir) throws IOException {
    Vocabulary v = Vocabulary.fromTraining(List.of("b", "a", "b", "c"), 0);
    assertEquals(List.of("b", "a", "c", Vocabulary.UNK), v.words());
    v.write(dir.resolve("vocab.txt"));
    Vocabulary back = Vocabulary.read(dir.resolve("vocab.txt"));
    assertEquals(v, back);
    assertEquals(v.fingerprint(), back.fingerprint());
    assertEquals(3, v.id("zzz"));
    assertThrows(IllegalArgumentException.class, () -> Vocabulary.of(List.of("a", "b")), "no <unk>");
  }

  /** The real corpus, when a previous run cached it (unit tests never download). */
  @Test
  void theRealBrownCorpusGivesTheDocumentedSizes() throws IOException {
    Path tarball = Corpora.defaultCacheDir().resolve(BrownCorpus.TARBALL);
    if (!Files.isRegularFile(tarball)) {
      System.out.println("CorpusTest: skipping the real Brown corpus check: " + tarball
          + " is absent (./beyond train --corpus brown fetches it)");
      Assumptions.abort("no cached " + tarball);
    }
    Corpus c = BrownCorpus.load(tarball, BrownCorpus.Protocol.BENGIO_2003);
    assertEquals(800_000, c.train().length);
    assertEquals(200_000, c.valid().length);
    assertEquals(161_192, c.test().length);
    assertEquals(14_114, c.vocabulary().size(), "words seen > 3 times in training, plus <unk>");
  }
}
