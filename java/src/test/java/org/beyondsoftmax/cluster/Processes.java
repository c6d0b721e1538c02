package org.beyondsoftmax.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The processes of this machine by command line, for the tests that check what a cluster left
 * running. Linux's {@code /proc/PID/cmdline} first: the JDK's {@code ProcessHandle.Info} gives no
 * arguments for command lines as long as a cluster task's (class path included).
 */
public final class Processes {
  private Processes() {}

  /** The command line of {@code p}, arguments separated by spaces ("" when it cannot be read). */
  public static String commandLine(ProcessHandle p) {
    try {
      return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")), StandardCharsets.UTF_8)
          .replace('\0', ' ');
    } catch (IOException | RuntimeException e) {
      return p.info().arguments().map(a -> String.join(" ", a)).orElse("");
    }
  }

  /** The live processes whose command line contains {@code text}. */
  public static List<ProcessHandle> with(String text) {
    return ProcessHandle.allProcesses().filter(p -> p.isAlive() && commandLine(p).contains(text)).toList();
  }
}
