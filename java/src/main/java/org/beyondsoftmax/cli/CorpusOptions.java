package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import org.beyondsoftmax.corpus.Corpora;
import org.beyondsoftmax.corpus.Corpus;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The corpus options of the commands that read one (train, kneser-ney): {@code --corpus brown|DIR},
 * {@code --min-count N} and, through {@link CorpusCache}, {@code --cache-dir DIR}.
 */
final class CorpusOptions {
  @Option(names = "--corpus", paramLabel = "brown|DIR", defaultValue = Corpora.BROWN,
      description = "brown, or a directory of train/valid/test files (default: ${DEFAULT-VALUE})")
  String corpus;

  @Option(names = "--min-count", paramLabel = "N", defaultValue = "0",
      description = "text directories: training words seen <= N times become <unk> (default: ${DEFAULT-VALUE})")
  int minCount;

  @Mixin
  CorpusCache cache;

  /** Loads the corpus these options name. */
  Corpus load(PrintWriter log) throws IOException {
    return cache.load(corpus, minCount, log);
  }
}
