package org.beyondsoftmax.models.lm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.beyondsoftmax.models.io.AtomicFiles;
import org.beyondsoftmax.ops.PortableGraphs;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;

/**
 * Exports a {@link LanguageModelSession} as a SavedModel (tag {@code serve}) with the signatures of
 * {@link Signatures} whose graph holds only TensorFlow's own ops. If the session's graph uses fused
 * kernels of the native module, the variables go through a temporary checkpoint into a portable
 * twin of the session, which is exported instead (same variables, same signatures).
 */
public final class SavedModelExport {
  private SavedModelExport() {}

  /** Exports {@code session}'s graph and current variables to {@code dir}. */
  public static void export(LanguageModelSession session, Path dir) throws IOException {
    if (PortableGraphs.foreignOps(session.graph()).isEmpty()) {
      exportPortable(session, dir);
      return;
    }
    Path tmp = Files.createTempDirectory("beyond-export-");
    try {
      session.save(tmp.resolve("variables"));
      try (LanguageModelSession twin = session.portableTwin()) {
        twin.restore(tmp.resolve("variables"));
        exportPortable(twin, dir);
      }
    } finally {
      AtomicFiles.deleteTree(tmp);
    }
  }

  private static void exportPortable(LanguageModelSession session, Path dir) throws IOException {
    Set<String> foreign = PortableGraphs.foreignOps(session.graph());
    if (!foreign.isEmpty()) {
      throw new IllegalStateException("the graph holds ops that are not TensorFlow's own: " + foreign
          + "; a SavedModel with them would not load without this library");
    }
    SavedModelBundle.exporter(dir.toString()).withSession(session.session())
        .withSignatures(session.modelGraph().signatures().toArray(new Signature[0])).export();
  }
}
