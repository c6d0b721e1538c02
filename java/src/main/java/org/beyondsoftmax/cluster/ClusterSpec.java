package org.beyondsoftmax.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;

/**
 * The tasks of a TensorFlow cluster of parameter servers ({@value #PS}) and workers
 * ({@value #WORKER}), each a {@code host:port}, written {@code ps=h1:2222,h2:2222;worker=h3:2222}
 * (the order of a job's addresses gives the task indices). Parsed and checked once, at the edge;
 * errors name the part at fault. Turns into TensorFlow's {@link ClusterDef} and, for one task,
 * its {@link ServerDef}.
 */
public final class ClusterSpec {
  public static final String PS = "ps";
  public static final String WORKER = "worker";
  private static final String EXAMPLE = "e.g. ps=h1:2222,h2:2222;worker=h3:2222";
  private static final Pattern ADDRESS = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\\d{1,9})");

  private final List<String> ps;
  private final List<String> workers;

  private ClusterSpec(List<String> ps, List<String> workers) {
    this.ps = List.copyOf(ps);
    this.workers = List.copyOf(workers);
  }

  /**
   * Parses {@code JOB=HOST:PORT[,HOST:PORT...];JOB=...} with jobs ps and worker, both required.
   *
   * @throws IllegalArgumentException naming the malformed part, the port out of 1..65535, the
   *     address given twice or the job missing
   */
  public static ClusterSpec parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException("cluster spec is empty; expected JOB=HOST:PORT,...;JOB=..., " + EXAMPLE);
    }
    Map<String, List<String>> jobs = new HashMap<>();
    for (String part : spec.trim().split(";", -1)) {
      int eq = part.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("cluster spec: '" + part + "' is not JOB=HOST:PORT,...; " + EXAMPLE);
      }
      String job = part.substring(0, eq).trim();
      if (!PS.equals(job) && !WORKER.equals(job)) {
        throw new IllegalArgumentException("cluster spec: unknown job '" + job + "' in '" + part + "' (jobs are ps and worker)");
      }
      if (jobs.containsKey(job)) {
        throw new IllegalArgumentException("cluster spec: job " + job + " is given twice");
      }
      List<String> addresses = new ArrayList<>();
      for (String a : part.substring(eq + 1).split(",", -1)) {
        addresses.add(a.trim());
      }
      jobs.put(job, addresses);
    }
    return of(jobs.getOrDefault(PS, List.of()), jobs.getOrDefault(WORKER, List.of()));
  }

  /** The cluster of these ps and worker addresses ({@code host:port}), checked as {@link #parse} does. */
  public static ClusterSpec of(List<String> ps, List<String> workers) {
    for (var job : List.of(PS, WORKER)) {
      if ((job.equals(PS) ? ps : workers).isEmpty()) {
        throw new IllegalArgumentException("cluster spec: no " + job + " job; a cluster needs both ps=... and worker=..., " + EXAMPLE);
      }
    }
    Map<String, Task> seen = new HashMap<>();
    for (var job : List.of(PS, WORKER)) {
      List<String> addresses = job.equals(PS) ? ps : workers;
      for (int i = 0; i < addresses.size(); i++) {
        Task task = new Task(job, i);
        String a = addresses.get(i);
        checkAddress(a, task);
        Task other = seen.put(a.toLowerCase(Locale.ROOT), task);
        if (other != null) {
          throw new IllegalArgumentException("cluster spec: address " + a + " is given to both " + other + " and " + task);
        }
      }
    }
    return new ClusterSpec(ps, workers);
  }

  private static void checkAddress(String address, Task task) {
    Matcher m = ADDRESS.matcher(address);
    if (!m.matches()) {
      throw new IllegalArgumentException("cluster spec: '" + address + "' (" + task + ") is not HOST:PORT");
    }
    long port = Long.parseLong(m.group(3));
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "cluster spec: port " + port + " of " + task + " (" + address + ") is outside 1..65535");
    }
  }

  /** The number of tasks of {@code job}. */
  public int size(String job) {
    return addresses(job).size();
  }

  /** The addresses of {@code job}'s tasks, in task order. */
  public List<String> addresses(String job) {
    return switch (job) {
      case PS -> ps;
      case WORKER -> workers;
      default -> throw new IllegalArgumentException("job must be ps or worker, got '" + job + "'");
    };
  }

  /**
   * The task {@code index} of {@code job}.
   *
   * @throws IllegalArgumentException "task 3 is outside job worker (tasks 0..1)"
   */
  public Task task(String job, int index) {
    int n = size(job);
    if (index < 0 || index >= n) {
      throw new IllegalArgumentException("task " + index + " is outside job " + job + " (tasks 0.." + (n - 1) + ")");
    }
    return new Task(job, index);
  }

  /** Every task: the ps tasks, then the workers. */
  public List<Task> tasks() {
    List<Task> all = new ArrayList<>();
    for (var job : List.of(PS, WORKER)) {
      for (int i = 0; i < size(job); i++) {
        all.add(new Task(job, i));
      }
    }
    return all;
  }

  /** {@code host:port} of a task of this cluster. */
  public String address(Task task) {
    return addresses(task.job()).get(task(task.job(), task.index()).index());
  }

  /** The port of a task of this cluster. */
  public int port(Task task) {
    String a = address(task);
    return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
  }

  /** {@code grpc://host:port}: the session target of a task's server. */
  public String target(Task task) {
    return "grpc://" + address(task);
  }

  /** TensorFlow's description of the cluster: one {@link JobDef} per job, tasks by index. */
  public ClusterDef toClusterDef() {
    ClusterDef.Builder cluster = ClusterDef.newBuilder();
    for (var job : List.of(PS, WORKER)) {
      JobDef.Builder def = JobDef.newBuilder().setName(job);
      List<String> addresses = addresses(job);
      for (int i = 0; i < addresses.size(); i++) {
        def.putTasks(i, addresses.get(i));
      }
      cluster.addJob(def);
    }
    return cluster.build();
  }

  /** The {@link ServerDef} of one task's gRPC server. */
  public ServerDef serverDef(Task task) {
    task(task.job(), task.index());
    return ServerDef.newBuilder()
        .setCluster(toClusterDef())
        .setJobName(task.job())
        .setTaskIndex(task.index())
        .setProtocol("grpc")
        .build();
  }

  /** The spec in the form {@link #parse} reads. */
  @Override
  public String toString() {
    return PS + "=" + String.join(",", ps) + ";" + WORKER + "=" + String.join(",", workers);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClusterSpec c && c.ps.equals(ps) && c.workers.equals(workers);
  }

  @Override
  public int hashCode() {
    return 31 * ps.hashCode() + workers.hashCode();
  }
}
