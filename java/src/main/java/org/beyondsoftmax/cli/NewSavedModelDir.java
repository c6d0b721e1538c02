package org.beyondsoftmax.cli;

import java.nio.file.Path;
import org.beyondsoftmax.models.lm.ModelDirectory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --out DIR2}: where a command that writes a new SavedModel (calibrate, export-cache) puts
 * it; a directory that holds one already is refused, never overwritten.
 */
final class NewSavedModelDir {
  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(names = "--out", paramLabel = "DIR2", required = true, description = "where the new SavedModel goes")
  Path dir;

  /** The {@code --out} directory; exit status 2 if it holds a SavedModel already. */
  ModelDirectory free() {
    ModelDirectory to = new ModelDirectory(dir);
    if (to.hasSavedModel()) {
      throw new ParameterException(spec.commandLine(), "--out " + dir + " holds a SavedModel already");
    }
    return to;
  }
}
