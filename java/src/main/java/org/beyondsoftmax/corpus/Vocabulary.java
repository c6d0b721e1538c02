package org.beyondsoftmax.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Word ids: the training words seen more than {@code minCount} times, most frequent first (ties in
 * {@link String#compareTo} order), and {@link #UNK} for every other word, ranked by the number of
 * training tokens it replaces. Ids are dense in [0, size).
 */
public final class Vocabulary {
  /** The word that stands for every word outside the vocabulary. */
  public static final String UNK = "<unk>";

  private final List<String> words;
  private final Map<String, Integer> ids;
  private final int unk;

  private Vocabulary(List<String> words) {
    this.words = List.copyOf(words);
    this.ids = new HashMap<>(words.size() * 2);
    for (int i = 0; i < words.size(); i++) {
      if (ids.put(words.get(i), i) != null) {
        throw new IllegalArgumentException("duplicate word '" + words.get(i) + "' at id " + i);
      }
    }
    Integer u = ids.get(UNK);
    if (u == null) {
      throw new IllegalArgumentException("the vocabulary has no " + UNK);
    }
    this.unk = u;
  }

  /**
   * The vocabulary of {@code training}: words with count &gt; {@code minCount} keep their own id,
   * the others become {@link #UNK} (which is always present, even with no token to replace).
   *
   * @param minCount 0 keeps every training word; Bengio et al. (2003) use 3 on Brown
   */
  public static Vocabulary fromTraining(List<String> training, int minCount) {
    if (minCount < 0) {
      throw new IllegalArgumentException("minCount must be >= 0, got " + minCount);
    }
    Map<String, Integer> counts = new HashMap<>();
    for (String w : training) {
      counts.merge(w, 1, Integer::sum);
    }
    Map<String, Integer> kept = new HashMap<>();
    int unknown = 0;
    for (var e : counts.entrySet()) {
      if (e.getValue() > minCount || e.getKey().equals(UNK)) {
        kept.merge(e.getKey(), e.getValue(), Integer::sum);
      } else {
        unknown += e.getValue();
      }
    }
    kept.merge(UNK, unknown, Integer::sum);
    List<String> words = new ArrayList<>(kept.keySet());
    words.sort((a, b) -> {
      int c = Integer.compare(kept.get(b), kept.get(a));
      return c != 0 ? c : a.compareTo(b);
    });
    return new Vocabulary(words);
  }

  /** The vocabulary with these words as ids 0, 1, ...; must contain {@link #UNK} once. */
  public static Vocabulary of(List<String> words) {
    return new Vocabulary(words);
  }

  /** Reads one word per line (UTF-8), as {@link #write} writes it. */
  public static Vocabulary read(Path file) throws IOException {
    return new Vocabulary(Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  /** Writes one word per line, id order (UTF-8). */
  public void write(Path file) throws IOException {
    Files.write(file, words, StandardCharsets.UTF_8);
  }

  public int size() {
    return words.size();
  }

  /** The id of {@code word}, or {@link #unk()} if it is not in the vocabulary. */
  public int id(String word) {
    Integer i = ids.get(word);
    return i == null ? unk : i;
  }

  /** Whether {@code word} has its own id. */
  public boolean contains(String word) {
    return ids.containsKey(word);
  }

  public String word(int id) {
    if (id < 0 || id >= words.size()) {
      throw new IllegalArgumentException("id must be in [0, " + words.size() + "), got " + id);
    }
    return words.get(id);
  }

  /** The id of {@link #UNK}. */
  public int unk() {
    return unk;
  }

  public List<String> words() {
    return words;
  }

  /** The ids of {@code tokens}, unknown words as {@link #unk()}. */
  public int[] encode(List<String> tokens) {
    int[] out = new int[tokens.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = id(tokens.get(i));
    }
    return out;
  }

  /**
   * SHA-256 of the words in id order (hex): two vocabularies map every word to the same id iff
   * their fingerprints match (up to hash collisions). A model records it; evaluation checks it.
   */
  public String fingerprint() {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (String w : words) {
        d.update(w.getBytes(StandardCharsets.UTF_8));
        d.update((byte) '\n');
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Vocabulary v && v.words.equals(words);
  }

  @Override
  public int hashCode() {
    return words.hashCode();
  }

  @Override
  public String toString() {
    return "Vocabulary(" + words.size() + " words)";
  }
}
