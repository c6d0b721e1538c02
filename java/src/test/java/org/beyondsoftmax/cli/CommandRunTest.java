package org.beyondsoftmax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.beyondsoftmax.testing.CommandLineRun;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the end-to-end command tests that read a command's JSON report share: a temporary
 * directory, the commands' run (standard output and error apart, see {@link CommandLineRun}), and
 * a run that must succeed.
 */
abstract class CommandRunTest {
  @TempDir
  Path dir;

  final CommandLineRun run = new CommandLineRun();

  /** Runs {@code beyond ARGS} and asserts exit status 0, showing standard error otherwise. */
  void succeeds(String... args) {
    assertEquals(0, run.execute(args), "exit code; stderr:\n" + run.err());
  }

  /**
   * Runs {@code beyond ARGS --json FILE} with {@code FILE} the temporary directory's {@code name},
   * asserts exit status 0 and returns the JSON the command wrote.
   */
  JsonNode report(String name, String... args) throws IOException {
    Path json = dir.resolve(name);
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--json", json.toString()));
    succeeds(all.toArray(new String[0]));
    return new ObjectMapper().readTree(json.toFile());
  }
}
