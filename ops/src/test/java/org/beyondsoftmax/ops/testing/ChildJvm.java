package org.beyondsoftmax.ops.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A fresh JVM on the test's class path, for what must not share the test JVM: a process to kill,
 * a SavedModel loaded without the code that built it, TensorFlow's state at start-up.
 */
public final class ChildJvm {
  private ChildJvm() {}

  /**
   * {@code java -cp CLASSPATH main args...} with stdout and stderr merged and TensorFlow's INFO
   * logging off; {@code main} is a class name or a {@code .java} source file.
   */
  public static ProcessBuilder of(String main, String... args) {
    return onClassPath(System.getProperty("java.class.path"), main, args);
  }

  /** As {@link #of}, on another class path (entries separated by {@link java.io.File#pathSeparator}). */
  public static ProcessBuilder onClassPath(String classPath, String main, String... args) {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classPath, main));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
    return pb;
  }
}
