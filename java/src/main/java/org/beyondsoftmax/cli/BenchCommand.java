package org.beyondsoftmax.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code beyond bench}: the group of benchmark commands. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    version = Main.VERSION,
    description = "Benchmarks.",
    subcommands = {BenchOpsCommand.class, BenchLmCommand.class, BenchCacheCommand.class})
public final class BenchCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }
}
