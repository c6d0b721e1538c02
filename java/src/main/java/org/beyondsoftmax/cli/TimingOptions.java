package org.beyondsoftmax.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The options of the timing runs of {@code bench ops} and {@code bench cache}: rounds, warm-up, seed. */
final class TimingOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  int rounds;
  int warmup;

  @Option(names = "--seed", paramLabel = "SEED", defaultValue = "42",
      description = "seed of the random inputs and of the run order (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--rounds", paramLabel = "N", defaultValue = "7",
      description = "timed rounds, each running every op once (default: ${DEFAULT-VALUE})")
  void setRounds(int value) {
    rounds = atLeast("--rounds", value, 1);
  }

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "3",
      description = "untimed runs of each op before the rounds (default: ${DEFAULT-VALUE})")
  void setWarmup(int value) {
    warmup = atLeast("--warmup", value, 0);
  }

  /** {@code value} if it is at least {@code min}, else the error picocli gives for an invalid value. */
  private int atLeast(String option, int value, int min) {
    if (value < min) {
      throw invalid(option, value, "must be >= " + min);
    }
    return value;
  }

  ParameterException invalid(String option, Object value, String why) {
    return new ParameterException(spec.commandLine(),
        "Invalid value for option '" + option + "': " + why + ", got '" + value + "'");
  }
}
