package org.beyondsoftmax.corpus;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A plain-text corpus in the layout of the Penn Treebank (Mikolov's {@code ptb.train.txt},
 * {@code ptb.valid.txt}, {@code ptb.test.txt}) and WikiText ({@code wiki.train.tokens}, ...):
 * a directory with one file whose name contains {@code train}, one with {@code valid} and one with
 * {@code test}, already tokenised (UTF-8, words separated by white space). As in those benchmarks'
 * usual readers (e.g. PyTorch's word_language_model), every line ends with {@link #EOS}, the
 * vocabulary is every training word (unless {@code minCount} &gt; 0), and a validation or test word
 * outside it becomes {@code <unk>}.
 */
public final class TextCorpus {
  /** The end-of-line token appended to every line. */
  public static final String EOS = "<eos>";

  private TextCorpus() {}

  /**
   * Loads the three files of {@code dir}.
   *
   * @param minCount training words seen at most this often become {@code <unk>} (0: keep all)
   */
  public static Corpus load(Path dir, int minCount) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("not a directory: " + dir);
    }
    List<String> train = words(find(dir, "train"));
    List<String> valid = words(find(dir, "valid"));
    List<String> test = words(find(dir, "test"));
    Vocabulary v = Vocabulary.fromTraining(train, minCount);
    return new Corpus(dir.getFileName() == null ? dir.toString() : dir.getFileName().toString(),
        v, v.encode(train), v.encode(valid), v.encode(test));
  }

  /** The {@link #tokens} of {@code file}, which must hold at least one word. */
  private static List<String> words(Path file) throws IOException {
    List<String> t = tokens(file);
    if (t.stream().allMatch(EOS::equals)) {
      throw new IOException(file + " holds no words: every split of a corpus needs some text");
    }
    return t;
  }

  /** The one regular file of {@code dir} whose name contains {@code split}. */
  static Path find(Path dir, String split) throws IOException {
    List<Path> found;
    try (Stream<Path> s = Files.list(dir)) {
      found = s.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().contains(split)).sorted().toList();
    }
    if (found.size() != 1) {
      throw new IOException(dir + " must hold exactly one file whose name contains '" + split
          + "' (e.g. " + split + ".txt, ptb." + split + ".txt, wiki." + split + ".tokens), found "
          + found.stream().map(p -> p.getFileName().toString()).toList());
    }
    return found.get(0);
  }

  /** The white-space separated words of {@code file}, {@link #EOS} after each line. */
  static List<String> tokens(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        for (String w : line.trim().split("\\s+")) {
          if (!w.isEmpty()) {
            out.add(w);
          }
        }
        out.add(EOS);
      }
    }
    return out;
  }
}
