package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.beyondsoftmax.corpus.Corpora;
import org.beyondsoftmax.corpus.Corpus;
import picocli.CommandLine.Option;

/** {@code --cache-dir DIR}: where the Brown corpus is fetched to and read from. */
final class CorpusCache {
  @Option(names = "--cache-dir", paramLabel = "DIR",
      description = "where the Brown corpus is cached (default: ~/.cache/beyond-softmax)")
  Path cacheDir;

  /** Loads {@code spec} ("brown" or a directory), words seen at most {@code minCount} times as unknown. */
  Corpus load(String spec, int minCount, PrintWriter log) throws IOException {
    return Corpora.load(spec, cacheDir != null ? cacheDir : Corpora.defaultCacheDir(), minCount, log);
  }
}
