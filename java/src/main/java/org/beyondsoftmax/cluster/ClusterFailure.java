package org.beyondsoftmax.cluster;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.tensorflow.exceptions.TFFailedPreconditionException;

/**
 * Training on a cluster stopped, in one line that says which task is at fault and what to do;
 * TensorFlow's own error, when there is one, is the cause.
 */
public final class ClusterFailure extends RuntimeException {
  ClusterFailure(String message) {
    super(message);
  }

  ClusterFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * What a failed run of worker {@code self} means: a ps task or the worker's own server that no
   * longer answers, ps tasks whose variables are gone (restarted), or else TensorFlow's first line.
   *
   * @param doing what the run was for, e.g. "step 7"
   * @param uninitializedPs the ps tasks whose variables are not initialized (asked only when
   *     TensorFlow says a value is uninitialized, or that a task was unavailable although every ps
   *     task answers: a restarted ps task, reached through a channel to its old process)
   */
  static ClusterFailure diagnose(ClusterSpec cluster, Task self, String doing, RuntimeException e,
      Supplier<List<Task>> uninitializedPs) {
    List<Task> ps = cluster.tasks().stream().filter(t -> t.job().equals(ClusterSpec.PS)).toList();
    List<Task> silentPs = TaskProbe.silent(cluster, ps, Duration.ofSeconds(1));
    if (!silentPs.isEmpty()) {
      return new ClusterFailure(doing + ": lost " + describe(cluster, silentPs) + " (no answer): the variables of a "
          + "parameter server are lost with it; restart it and resume from the last checkpoint", e);
    }
    if (!TaskProbe.answers(cluster.address(self), Duration.ofSeconds(1))) {
      return new ClusterFailure(doing + ": lost this worker's server " + describe(cluster, List.of(self))
          + " (no answer): restart it with the same arguments, and the worker, which continues from the last applied"
          + " step", e);
    }
    if (e instanceof TFFailedPreconditionException || mentionsUninitialized(e) || unavailable(e)) {
      List<Task> lost = uninitializedPs.get();
      if (!lost.isEmpty()) {
        return stateLost(cluster, doing, lost, e);
      }
    }
    return new ClusterFailure(doing + ": " + firstLine(e), e);
  }

  /**
   * Whether TensorFlow says a value is uninitialized. A run that failed in several places comes
   * back as one status of several (the exception is then a plain {@code TensorFlowException}, the
   * FAILED_PRECONDITION one of its parts), e.g. a restarted ps task's empty variables together with
   * a worker's stale channel to its old address.
   */
  private static boolean mentionsUninitialized(RuntimeException e) {
    return e.getMessage() != null && e.getMessage().contains("Attempting to use uninitialized value");
  }

  /**
   * Whether TensorFlow could not reach a task: status UNAVAILABLE, which TF-Java throws as a plain
   * {@code TensorFlowException} whose message names the code only when several statuses came
   * together, else gRPC's words.
   */
  static boolean unavailable(RuntimeException e) {
    String m = e.getMessage();
    return m != null && (m.contains("UNAVAILABLE") || m.contains("failed to connect to all addresses")
        || m.contains("Socket closed") || m.contains("Connection reset"));
  }

  /**
   * TensorFlow's message in one line: its first line that says something (a status of several
   * statuses starts with a rule of '='), with the line after it when that one only says where
   * the error came from ("UNAVAILABLE: From /job:worker/replica:0/task:0:").
   */
  static String firstLine(RuntimeException e) {
    if (e.getMessage() == null) {
      return e.getClass().getSimpleName();
    }
    List<String> lines = e.getMessage().lines().map(String::strip)
        .filter(l -> !l.isEmpty() && !l.chars().allMatch(c -> c == '=')).toList();
    if (lines.isEmpty()) {
      return e.getClass().getSimpleName();
    }
    String first = lines.get(0);
    return first.endsWith(":") && lines.size() > 1 ? first + " " + lines.get(1) : first;
  }

  /** Ps tasks that answer but whose variables are uninitialized: they restarted. */
  static ClusterFailure stateLost(ClusterSpec cluster, String doing, List<Task> ps, Throwable cause) {
    return new ClusterFailure(doing + ": the variables on " + describe(cluster, ps) + " are uninitialized: the "
        + "parameter server restarted and lost them; resume from the last checkpoint", cause);
  }

  private static String describe(ClusterSpec cluster, List<Task> tasks) {
    return tasks.stream().map(t -> t + " at " + cluster.address(t)).collect(Collectors.joining(", "));
  }
}
