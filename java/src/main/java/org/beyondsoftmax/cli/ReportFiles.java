package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Function;
import org.beyondsoftmax.bottleneck.BottleneckPlots;
import org.beyondsoftmax.bottleneck.BottleneckReport;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.models.io.AtomicFiles;

/** Writes the experiment's JSON and figures (each atomically) and says where they are. */
final class ReportFiles {
  static final String FUNCTIONS_PNG = "plif-function.png";
  static final String SPECTRA_PNG = "spectrum.png";

  private ReportFiles() {}

  /**
   * Writes what is asked for (null paths are skipped); diagnostics are the learned-function and
   * spectrum figures in {@code diagnostics}.
   *
   * @return false if a figure could not be drawn (the other files are still written)
   */
  static boolean write(BottleneckReport report, Path json, Path plot, Path diagnostics,
      PrintWriter err) throws IOException {
    if (json != null) {
      Json.write(json, report);
      say(err, "results", json);
    }
    boolean ok = true;
    if (plot != null) {
      ok &= figure(report, BottleneckPlots::bottleneck, plot, "mode match and KL against D", err);
    }
    if (diagnostics != null) {
      ok &= figure(report, BottleneckPlots::functions, diagnostics.resolve(FUNCTIONS_PNG),
          "learned pointwise functions", err);
      ok &= figure(report, BottleneckPlots::spectra, diagnostics.resolve(SPECTRA_PNG),
          "singular-value spectra", err);
    }
    return ok;
  }

  /**
   * Draws one figure of {@code report} and writes it atomically; a figure that cannot be drawn is
   * reported on {@code err}, a null drawing (nothing to draw) skipped.
   *
   * @return false if the figure could not be drawn
   */
  static <R> boolean figure(R report, Function<R, byte[]> draw, Path file, String what, PrintWriter err)
      throws IOException {
    byte[] png;
    try {
      png = draw.apply(report);
    } catch (RuntimeException | Error e) { // e.g. no fonts on a minimal headless JRE
      err.println("could not draw the " + what + " (" + file + "): " + e);
      err.flush();
      return false;
    }
    if (png == null) {
      return true; // nothing to draw, e.g. no LMS head
    }
    AtomicFiles.write(file, png);
    say(err, what, file);
    return true;
  }

  private static void say(PrintWriter err, String what, Path file) {
    err.println("wrote " + what + ": " + file.toAbsolutePath().normalize());
    err.flush();
  }
}
