package org.beyondsoftmax.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --model DIR}: any SavedModel directory (calibrate, serve); a model of {@code beyond train}
 * with its model.json is a {@link TrainedModel}.
 */
final class SavedModelDir {
  @Option(names = "--model", paramLabel = "DIR", required = true, description = "a SavedModel directory")
  Path dir;
}
