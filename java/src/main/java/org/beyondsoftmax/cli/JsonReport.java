package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import org.beyondsoftmax.json.Json;
import picocli.CommandLine.Option;

/** {@code --json FILE}: a command's result also written as JSON, atomically. */
final class JsonReport {
  @Option(names = "--json", paramLabel = "FILE", description = "also write the result as JSON (atomically)")
  Path json;

  /** Writes {@code report} to the {@code --json} file, if one was given, and says so on {@code err}. */
  void write(Object report, PrintWriter err) throws IOException {
    write(json, report, err);
  }

  /**
   * Writes {@code report} to {@code file} (atomically), unless it is null, and says so on
   * {@code err}: for the commands whose own {@code --json} option words its help differently.
   */
  static void write(Path file, Object report, PrintWriter err) throws IOException {
    if (file != null) {
      Json.write(file, report);
      err.println("wrote " + file);
      err.flush();
    }
  }
}
