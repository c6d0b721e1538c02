package org.beyondsoftmax.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every {@code ./beyond} command that does work shares: {@code --help} and {@code --version},
 * its exit codes (0 done, 1 failed ({@link Failures}), 2 invalid options, unless its own
 * {@code @Command}, which adds its name and description, lists others), its command line
 * (picocli's {@code @Spec}), its two writers (results on standard output; progress, files written
 * and failures on standard error) and the invalid-option error, exit status 2 with one line.
 */
@Command(mixinStandardHelpOptions = true, version = Main.VERSION, exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:done", "1:failed", "2:invalid options"})
abstract class BeyondCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Override
  public final Integer call() throws Exception {
    CommandLine cl = spec.commandLine();
    return run(cl.getOut(), cl.getErr());
  }

  /**
   * The command's work, its options parsed.
   *
   * @param out where its results go
   * @param err where its progress, the files it wrote and its failures go
   * @return the exit status
   */
  abstract int run(PrintWriter out, PrintWriter err) throws Exception;

  /** The error of an invalid option: {@code message} on one line, exit status 2. */
  ParameterException invalid(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /**
   * What {@code make} returns; the {@link IllegalArgumentException} with which it rejects a value
   * (settings check their ranges when made) is an {@link #invalid} option with its message.
   */
  <T> T checked(Supplier<T> make) {
    return checked("", make);
  }

  /** {@link #checked(Supplier)}, the message after {@code prefix}. */
  <T> T checked(String prefix, Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      throw invalid(prefix + e.getMessage());
    }
  }
}
