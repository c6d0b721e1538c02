package org.beyondsoftmax.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.beyondsoftmax.cli.Main;
import picocli.CommandLine;

/** Runs {@code ./beyond} commands in this JVM with their output and errors captured. */
public final class CommandLineRun {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** Runs {@code beyond ARGS} (with the application's failure handling); returns the exit code. */
  public int execute(String... args) {
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    return cmd.execute(args);
  }

  /** Everything the commands run so far printed to standard output. */
  public String out() {
    return out.toString();
  }

  /** Everything the commands run so far printed to standard error. */
  public String err() {
    return err.toString();
  }
}
