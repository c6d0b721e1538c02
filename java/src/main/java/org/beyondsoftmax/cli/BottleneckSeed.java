package org.beyondsoftmax.cli;

import picocli.CommandLine.Option;

/** {@code --seed SEED} of the bottleneck experiment (bottleneck, demo): its targets and initial values. */
final class BottleneckSeed {
  @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
      description = "seed of the targets and initial values (default: ${DEFAULT-VALUE})")
  long seed;
}
