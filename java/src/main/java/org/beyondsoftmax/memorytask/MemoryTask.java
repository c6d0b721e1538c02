package org.beyondsoftmax.memorytask;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.beyondsoftmax.corpus.Corpus;
import org.beyondsoftmax.corpus.Vocabulary;

/**
 * A synthetic language-modelling task in which memory is necessary: a stream of episodes, each
 * {@code <sep>}, then a binding phase of {@code pairs} random (key, value) bigrams "k v" (distinct
 * keys, values drawn anew for every episode), each followed by 0 to {@code maxGap} filler words,
 * then a recall phase with the same keys in a new order, each again followed by its value (and
 * fillers). A recalled value is predictable only by copying what followed the key's earlier
 * occurrence in the episode: the words are otherwise random, and a key's value in earlier
 * episodes (still in a cache that spans them) is wrong. The recalled values are the <i>copy
 * positions</i>, where accuracy is measured.
 *
 * @param corpus the three streams (train, valid, test) over keys {@code k0..}, values {@code v0..},
 *     fillers {@code f0..} and {@code <sep>}
 * @param validCopies per token of the validation stream: whether it is a recalled value
 * @param testCopies the same for the test stream
 */
public record MemoryTask(Corpus corpus, boolean[] validCopies, boolean[] testCopies) {
  public static final String SEPARATOR = "<sep>";

  /**
   * What to generate.
   *
   * @param keys distinct key words (&gt;= pairs)
   * @param values distinct value words
   * @param fillers distinct filler words (&gt;= 1)
   * @param pairs (key, value) pairs per episode
   * @param maxGap at most this many fillers after each pair
   */
  public record Settings(int keys, int values, int fillers, int pairs, int maxGap, int trainEpisodes,
      int validEpisodes, int testEpisodes, long seed) {
    public Settings {
      if (pairs < 1 || keys < pairs) {
        throw new IllegalArgumentException("need 1 <= pairs <= keys, got pairs " + pairs + ", keys " + keys);
      }
      if (values < 2 || fillers < 1 || maxGap < 0) {
        throw new IllegalArgumentException("need values >= 2, fillers >= 1, maxGap >= 0, got " + values + ", "
            + fillers + ", " + maxGap);
      }
      if (trainEpisodes < 1 || validEpisodes < 1 || testEpisodes < 1) {
        throw new IllegalArgumentException("every split needs >= 1 episode");
      }
    }
  }

  /** Generates the three streams of {@code s}, seeded. */
  public static MemoryTask generate(Settings s) {
    SplittableRandom random = new SplittableRandom(s.seed());
    List<String> train = new ArrayList<>();
    List<String> valid = new ArrayList<>();
    List<String> test = new ArrayList<>();
    List<Boolean> validCopies = new ArrayList<>();
    List<Boolean> testCopies = new ArrayList<>();
    episodes(s, s.trainEpisodes(), random, train, new ArrayList<>());
    episodes(s, s.validEpisodes(), random, valid, validCopies);
    episodes(s, s.testEpisodes(), random, test, testCopies);
    Vocabulary v = Vocabulary.of(words(s)); // every word of the task, drawn or not
    Corpus corpus = new Corpus("memory-task", v, v.encode(train), v.encode(valid), v.encode(test));
    return new MemoryTask(corpus, flags(validCopies), flags(testCopies));
  }

  /** {@code <unk>} (unused), {@code <sep>}, the keys, the values and the fillers. */
  private static List<String> words(Settings s) {
    List<String> words = new ArrayList<>(List.of(Vocabulary.UNK, SEPARATOR));
    for (int i = 0; i < s.keys(); i++) {
      words.add("k" + i);
    }
    for (int i = 0; i < s.values(); i++) {
      words.add("v" + i);
    }
    for (int i = 0; i < s.fillers(); i++) {
      words.add("f" + i);
    }
    return words;
  }

  private static void episodes(Settings s, int n, SplittableRandom random, List<String> out, List<Boolean> copies) {
    for (int e = 0; e < n; e++) {
      add(out, copies, SEPARATOR, false);
      int[] keys = random.ints(0, s.keys()).distinct().limit(s.pairs()).toArray();
      int[] values = new int[keys.length];
      for (int i = 0; i < keys.length; i++) {
        values[i] = random.nextInt(s.values());
        pair(s, random, out, copies, keys[i], values[i], false);
      }
      int[] order = random.ints(0, keys.length).distinct().limit(keys.length).toArray();
      for (int i : order) {
        pair(s, random, out, copies, keys[i], values[i], true);
      }
    }
  }

  private static void pair(Settings s, SplittableRandom random, List<String> out, List<Boolean> copies, int key,
      int value, boolean recall) {
    add(out, copies, "k" + key, false);
    add(out, copies, "v" + value, recall);
    int gap = random.nextInt(s.maxGap() + 1);
    for (int g = 0; g < gap; g++) {
      add(out, copies, "f" + random.nextInt(s.fillers()), false);
    }
  }

  private static void add(List<String> out, List<Boolean> copies, String word, boolean copy) {
    out.add(word);
    copies.add(copy);
  }

  private static boolean[] flags(List<Boolean> list) {
    boolean[] b = new boolean[list.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = list.get(i);
    }
    return b;
  }
}
