package org.beyondsoftmax.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The lower-bound check of an integer option, with the message the commands give for it:
 * {@code --rounds must be >= 1, got 0} (exit status 2).
 */
final class OptionRanges {
  private OptionRanges() {}

  /** {@code value} if it is at least {@code min}, else a {@link ParameterException} naming {@code option}. */
  static int atLeast(CommandSpec spec, String option, int value, int min) {
    if (value < min) {
      throw new ParameterException(spec.commandLine(), option + " must be >= " + min + ", got " + value);
    }
    return value;
  }
}
