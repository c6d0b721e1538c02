package org.beyondsoftmax.corpus;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Resolves the command line's {@code --corpus}: {@code brown} (fetched into the cache on first
 * use), a directory of Brown files ({@code ca01 ..}), or a plain-text train/valid/test directory.
 */
public final class Corpora {
  /** The name of the built-in corpus. */
  public static final String BROWN = "brown";

  private Corpora() {}

  /** {@code ~/.cache/beyond-softmax}, or {@code $XDG_CACHE_HOME/beyond-softmax}. */
  public static Path defaultCacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("beyond-softmax");
  }

  /**
   * Loads {@code spec}: {@code brown}, a Brown directory or tarball, or a text directory.
   *
   * @param minCount for text directories: training words seen at most this often become
   *     {@code <unk>}; Brown always uses its protocol's 3
   */
  public static Corpus load(String spec, Path cacheDir, int minCount, PrintWriter log) throws IOException {
    if (spec.equals(BROWN)) {
      return BrownCorpus.load(BrownCorpus.fetch(cacheDir, log), BrownCorpus.Protocol.BENGIO_2003);
    }
    Path p = Path.of(spec);
    if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(".tgz")) {
      return BrownCorpus.load(p, BrownCorpus.Protocol.BENGIO_2003);
    }
    if (!Files.isDirectory(p)) {
      throw new IOException("--corpus must be '" + BROWN + "' or a directory (train/valid/test files, "
          + "or the Brown files ca01 .. cr09), got '" + spec + "'");
    }
    if (Files.isRegularFile(p.resolve("ca01"))) {
      return BrownCorpus.load(p, BrownCorpus.Protocol.BENGIO_2003);
    }
    return TextCorpus.load(p, minCount);
  }
}
