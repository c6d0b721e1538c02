package org.beyondsoftmax.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * How a command that fails says so: one line, {@code beyond CMD: what went wrong}, naming the
 * file or option at fault, and exit status 1; the stack trace only with {@code BEYOND_DEBUG=1}.
 */
final class Failures implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine command, ParseResult parsed) {
    var err = command.getErr();
    err.println("beyond " + command.getCommandName() + ": " + describe(e));
    if ("1".equals(System.getenv("BEYOND_DEBUG"))) {
      e.printStackTrace(err);
    } else {
      err.println("(BEYOND_DEBUG=1 shows where)");
    }
    err.flush();
    return 1;
  }

  /** The exception in words: file-system errors say which file; TensorFlow's first line only. */
  static String describe(Throwable e) {
    if (e instanceof NoSuchFileException f) {
      return "no such file or directory: " + f.getFile();
    }
    if (e instanceof AccessDeniedException f) {
      return "permission denied: " + f.getFile();
    }
    if (e instanceof FileSystemException f) {
      return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : f.getClass().getSimpleName());
    }
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return e.getClass().getSimpleName() + (e.getCause() != null ? ": " + describe(e.getCause()) : "");
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
