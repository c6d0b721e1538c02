package org.beyondsoftmax.corpus;

import java.util.Arrays;
import java.util.List;

/**
 * A tokenised corpus as word ids: a training, a validation and a test stream over one
 * {@link Vocabulary} (built from the training stream). Language models read each stream as one
 * long sequence: token i is predicted from tokens 0..i-1, so a stream of n tokens has n - 1
 * predictions.
 *
 * @param name what the corpus is, for logs and reports (e.g. {@code brown})
 */
public record Corpus(String name, Vocabulary vocabulary, int[] train, int[] valid, int[] test) {
  /** The three split names, in order. */
  public static final List<String> SPLITS = List.of("train", "valid", "test");

  public Corpus {
    for (int[] s : new int[][] {train, valid, test}) {
      for (int id : s) {
        if (id < 0 || id >= vocabulary.size()) {
          throw new IllegalArgumentException(
              "word id " + id + " outside the vocabulary [0, " + vocabulary.size() + ")");
        }
      }
    }
  }

  /** The split {@code name}: train, valid or test. */
  public int[] split(String name) {
    return switch (name) {
      case "train" -> train;
      case "valid" -> valid;
      case "test" -> test;
      default -> throw new IllegalArgumentException(
          "split must be one of " + SPLITS + ", got '" + name + "'");
    };
  }

  /** The fraction of the tokens of split {@code name} that are {@link Vocabulary#UNK}. */
  public double unknownRate(String name) {
    int[] s = split(name);
    return s.length == 0 ? 0 : Arrays.stream(s).filter(i -> i == vocabulary.unk()).count() / (double) s.length;
  }

  /** One line: the name, vocabulary size and tokens per split. */
  public String summary() {
    return String.format("%s: |V| = %,d (incl. %s); tokens train %,d, valid %,d, test %,d; %s rate %.2f%% / %.2f%% / %.2f%%",
        name, vocabulary.size(), Vocabulary.UNK, train.length, valid.length, test.length, Vocabulary.UNK,
        100 * unknownRate("train"), 100 * unknownRate("valid"), 100 * unknownRate("test"));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Corpus c && c.name.equals(name) && c.vocabulary.equals(vocabulary)
        && Arrays.equals(c.train, train) && Arrays.equals(c.valid, valid) && Arrays.equals(c.test, test);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(train);
  }

  @Override
  public String toString() {
    return summary();
  }
}
