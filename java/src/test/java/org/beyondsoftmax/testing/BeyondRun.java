package org.beyondsoftmax.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.beyondsoftmax.cli.Main;

/**
 * One {@code ./beyond} command run in this JVM (with the application's failure handling): its exit
 * code and everything it printed, standard output and error together in the order printed. For the
 * two streams apart, over several commands, see {@link CommandLineRun}.
 */
public record BeyondRun(int code, String text) {
  /** Runs {@code beyond ARGS}. */
  public static BeyondRun beyond(String... args) {
    StringWriter text = new StringWriter();
    int code = Main.commandLine().setOut(new PrintWriter(text)).setErr(new PrintWriter(text)).execute(args);
    return new BeyondRun(code, text.toString());
  }

  /** Runs {@code beyond ARGS}. */
  public static BeyondRun beyond(List<String> args) {
    return beyond(args.toArray(new String[0]));
  }

  /** Asserts that {@code r} ended with {@code code} and printed each fragment, and no stack trace. */
  public static void fails(BeyondRun r, int code, String... fragments) {
    assertEquals(code, r.code(), r.text());
    for (String f : fragments) {
      assertTrue(r.text().contains(f), "'" + f + "' in:\n" + r.text());
    }
    assertFalse(r.text().contains("\tat "), "no stack trace:\n" + r.text());
  }

  /** Asserts that {@code r} ended with status 1 and printed {@code line} and nothing else. */
  public static void failsWithOneLine(BeyondRun r, String line) {
    assertEquals(1, r.code(), r.text());
    assertEquals(line + System.lineSeparator(), r.text());
  }
}
