package org.beyondsoftmax.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples in models/scripts compile against the current API (so they cannot rot unseen). */
class ScriptsTest {
  @Test
  void everyScriptCompiles(@TempDir Path classes) throws IOException {
    Path dir = Path.of("..", "models", "scripts");
    List<Path> scripts;
    try (Stream<Path> s = Files.list(dir)) {
      scripts = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    }
    assertFalse(scripts.isEmpty(), "scripts in " + dir.toAbsolutePath());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    for (Path script : scripts) {
      StringWriter out = new StringWriter();
      var fm = javac.getStandardFileManager(null, null, null);
      boolean ok = javac.getTask(out, fm, null,
          List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(), "-Xlint:none"),
          null, fm.getJavaFileObjects(script)).call();
      assertEquals(true, ok, script + ":\n" + out);
    }
  }
}
