package org.beyondsoftmax.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model DIR}: the directory a language model was exported to by {@code beyond train}. */
final class TrainedModel {
  @Option(names = "--model", paramLabel = "DIR", required = true, description = "the --out DIR of 'beyond train'")
  Path dir;
}
