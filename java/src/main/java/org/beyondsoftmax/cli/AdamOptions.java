package org.beyondsoftmax.cli;

import picocli.CommandLine.Option;

/**
 * {@code --steps S} and {@code --lr LR} of the commands that fit with Adam (bottleneck, calibrate,
 * recall); each command gives its own defaults ({@code @Mixin AdamOptions adam = new
 * AdamOptions(400, 0.05)}), and its settings check the ranges.
 */
final class AdamOptions {
  @Option(names = "--steps", paramLabel = "S", description = "Adam steps (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--lr", paramLabel = "LR", description = "Adam's learning rate (default: ${DEFAULT-VALUE})")
  double lr;

  /** @param steps the steps and {@code lr} the learning rate when the options are not given */
  AdamOptions(int steps, double lr) {
    this.steps = steps;
    this.lr = lr;
  }
}
