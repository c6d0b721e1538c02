package org.beyondsoftmax.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The language model's size and unrolling, shared by the commands that build one (train, bench
 * lm): {@code --embed}, {@code --hidden}, {@code --layers}, {@code --bptt}, {@code --batch}.
 * Ranges are checked where the settings are made (TrainSettings), or by {@link #checkPositive}.
 */
final class ModelShapeOptions {
  @Option(names = "--embed", defaultValue = "200", description = "word embedding size (default: ${DEFAULT-VALUE}; the Transformer's: --hidden)")
  int embed;

  @Option(names = "--hidden", defaultValue = "200", description = "LSTM units per layer, or the Transformer's width (default: ${DEFAULT-VALUE})")
  int hidden;

  @Option(names = "--layers", defaultValue = "1", description = "LSTM layers or Transformer blocks (default: ${DEFAULT-VALUE})")
  int layers;

  @Option(names = "--bptt", defaultValue = "35", description = "truncated-BPTT length T; the Transformer's window and positions (default: ${DEFAULT-VALUE})")
  int bptt;

  @Option(names = "--batch", defaultValue = "32", description = "training batch size B (default: ${DEFAULT-VALUE})")
  int batch;

  /** Fails with exit status 2 unless every size is >= 1, naming the first that is not. */
  void checkPositive(CommandSpec spec) {
    OptionRanges.atLeast(spec, "--embed", embed, 1);
    OptionRanges.atLeast(spec, "--hidden", hidden, 1);
    OptionRanges.atLeast(spec, "--layers", layers, 1);
    OptionRanges.atLeast(spec, "--bptt", bptt, 1);
    OptionRanges.atLeast(spec, "--batch", batch, 1);
  }
}
