package org.beyondsoftmax.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code beyond} command line: the entry point of {@code ./beyond}; it only holds subcommands. */
@Command(
    name = "beyond",
    mixinStandardHelpOptions = true,
    version = Main.VERSION,
    description = "Output heads beyond Linear-Softmax for TensorFlow-Java.",
    subcommands = {BenchCommand.class, BottleneckCommand.class, DemoCommand.class,
        TrainCommand.class, EvalCommand.class, ExportCacheCommand.class, MemoryTaskCommand.class, DiagnoseCommand.class,
        RecallCommand.class, CalibrateCommand.class, KneserNeyCommand.class, ServeCommand.class, LoadtestCommand.class,
        ClusterServerCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  static final String VERSION = "0.1.0";

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required subcommand");
  }

  /** The command line with its failure handling ({@link Failures}): what main runs, and tests. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setExecutionExceptionHandler(new Failures());
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true"); // the figures are drawn off-screen
    System.exit(commandLine().execute(args));
  }
}
