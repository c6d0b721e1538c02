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
    if (json != null) {
      Json.write(json, report);
      err.println("wrote " + json);
      err.flush();
    }
  }
}
