package org.beyondsoftmax.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of P ps and W worker processes on this machine ({@code 127.0.0.1}, free ports), each a
 * {@code beyond cluster-server} in a JVM of the current class path, or for the workers a command of
 * their own that starts the task's server itself ({@link Options#workerCommand}: {@code beyond train
 * ... --cluster SPEC --job worker --task I}): what {@code --local-cluster} runs, and what the tests
 * train on.
 *
 * <p>Every process it starts is stopped when the cluster is closed, when starting fails, and when
 * this JVM ends (a shutdown hook: Ctrl-C, SIGTERM): SIGTERM, then SIGKILL after a grace period. A
 * process also stops by itself when this JVM is gone ({@code --stop-with} this JVM's pid), which
 * covers a SIGKILL that runs no hook.
 */
public final class LocalCluster implements AutoCloseable {
  /**
   * @param logDir where each task writes its output ({@code ps-0.log}, ...)
   * @param startTimeout how long a task may take to answer on its port
   * @param grace how long a task may take to exit after SIGTERM before it gets SIGKILL
   * @param jvmOptions options of the tasks' JVMs
   * @param mainClass the class whose main runs {@code cluster-server}
   * @param workerCommand the arguments of the workers' main (to which {@code --cluster SPEC --job
   *     worker --task I --stop-with PID} are added), or null for {@code cluster-server}; the process
   *     must start the task's server and print {@link TaskServer#readyLine} as {@code cluster-server}
   *     does
   */
  public record Options(Path logDir, Duration startTimeout, Duration grace, List<String> jvmOptions, String mainClass,
      List<String> workerCommand) {
    public Options(Path logDir, Duration startTimeout, Duration grace, List<String> jvmOptions, String mainClass) {
      this(logDir, startTimeout, grace, jvmOptions, mainClass, null);
    }

    /** Defaults: 60 s to start, 5 s of grace, small JVMs, the {@code beyond} command line. */
    public static Options defaults(Path logDir) {
      return new Options(logDir, Duration.ofSeconds(60), Duration.ofSeconds(5),
          List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), "org.beyondsoftmax.cli.Main");
    }

    /** These options with the workers running {@code arguments} instead of {@code cluster-server}. */
    public Options withWorkerCommand(List<String> arguments) {
      return new Options(logDir, startTimeout, grace, jvmOptions, mainClass, List.copyOf(arguments));
    }
  }

  private final ClusterSpec spec;
  private final Options options;
  private final Map<Task, Process> processes = new LinkedHashMap<>();
  /** Where each task's current process began writing in its log. */
  private final Map<Task, Long> logStart = new LinkedHashMap<>();
  private final Thread hook = new Thread(this::stopAll, "local-cluster-stop");
  private boolean closed;

  private LocalCluster(ClusterSpec spec, Options options) {
    this.spec = spec;
    this.options = options;
  }

  /**
   * Starts {@code ps} parameter servers and {@code workers} workers on free ports of 127.0.0.1 and
   * waits until each answers (its process says it serves, and its port accepts a connection).
   *
   * @throws ClusterFailure naming the task that exited or did not answer in time (every process
   *     started is stopped by then)
   */
  public static LocalCluster start(int ps, int workers, Options options) throws InterruptedException {
    if (ps < 1 || workers < 1) {
      throw new IllegalArgumentException("a local cluster needs ps >= 1 and workers >= 1, got ps=" + ps + ", workers=" + workers);
    }
    List<Integer> ports = freePorts(ps + workers);
    List<String> psAddresses = new ArrayList<>();
    List<String> workerAddresses = new ArrayList<>();
    for (int i = 0; i < ps + workers; i++) {
      (i < ps ? psAddresses : workerAddresses).add("127.0.0.1:" + ports.get(i));
    }
    return start(ClusterSpec.of(psAddresses, workerAddresses), options);
  }

  /**
   * Starts a process for every task of {@code spec}, whose hosts must all be this machine's
   * loopback ({@code 127.0.0.1} or {@code localhost}), and waits until each answers.
   */
  public static LocalCluster start(ClusterSpec spec, Options options) throws InterruptedException {
    for (Task t : spec.tasks()) {
      String host = spec.address(t).substring(0, spec.address(t).lastIndexOf(':'));
      if (!host.equals("127.0.0.1") && !host.equals("localhost")) {
        throw new IllegalArgumentException("a local cluster runs on 127.0.0.1 only; " + t + " is on " + host);
      }
    }
    try {
      Files.createDirectories(options.logDir());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    LocalCluster cluster = new LocalCluster(spec, options);
    Runtime.getRuntime().addShutdownHook(cluster.hook);
    try {
      for (Task t : spec.tasks()) {
        cluster.launch(t);
      }
      for (Task t : spec.tasks()) {
        cluster.awaitAnswer(t);
      }
    } catch (InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  public ClusterSpec spec() {
    return spec;
  }

  /** The log file of a task. */
  public Path log(Task task) {
    return options.logDir().resolve(task.job() + "-" + task.index() + ".log");
  }

  /** The process of a task, while it runs. */
  public synchronized Optional<ProcessHandle> process(Task task) {
    Process p = processes.get(task);
    return p != null && p.isAlive() ? Optional.of(p.toHandle()) : Optional.empty();
  }

  /** The exit status of a task's current process, once it has ended. */
  public synchronized Optional<Integer> exitStatus(Task task) {
    Process p = processes.get(task);
    return p == null || p.isAlive() ? Optional.empty() : Optional.of(p.exitValue());
  }

  /** Kills a task's process at once (SIGKILL), as a crash would, and waits until it is gone. */
  public void kill(Task task) throws InterruptedException {
    Process p;
    synchronized (this) {
      p = processes.get(task);
    }
    if (p != null) {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  /** Starts a task's process again with the same arguments and waits until it answers. */
  public void restart(Task task) throws InterruptedException {
    kill(task);
    launch(task);
    awaitAnswer(task);
  }

  private synchronized void launch(Task task) {
    if (closed) {
      throw new IllegalStateException("the local cluster is closed");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.addAll(options.jvmOptions());
    command.add(options.mainClass());
    boolean own = task.job().equals(ClusterSpec.WORKER) && options.workerCommand() != null;
    command.addAll(own ? options.workerCommand() : List.of("cluster-server"));
    command.addAll(List.of("--cluster", spec.toString(), "--job", task.job(),
        "--task", Integer.toString(task.index()), "--stop-with", Long.toString(ProcessHandle.current().pid())));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(task).toFile()));
    pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "1");
    try {
      logStart.put(task, Files.exists(log(task)) ? Files.size(log(task)) : 0L);
      processes.put(task, pb.start());
    } catch (IOException e) {
      throw new ClusterFailure("could not start " + task + ": " + e.getMessage(), e);
    }
  }

  /**
   * Waits until the task's process says it serves and its port answers (both: another process may
   * hold the port, and answer).
   */
  private void awaitAnswer(Task task) throws InterruptedException {
    Process p;
    long start;
    synchronized (this) {
      p = processes.get(task);
      start = logStart.get(task);
    }
    String address = spec.address(task);
    long deadline = System.nanoTime() + options.startTimeout().toNanos();
    while (!(says(log(task), start, TaskServer.READY) && TaskProbe.answers(address, Duration.ofMillis(200)))) {
      if (!p.isAlive()) {
        throw new ClusterFailure(task + " exited with status " + p.exitValue() + " before answering on " + address
            + lastLine(log(task)));
      }
      if (System.nanoTime() > deadline) {
        throw new ClusterFailure(task + " did not come up on " + address + " within "
            + TaskProbe.words(options.startTimeout()) + " (its output: " + log(task) + ")");
      }
      Thread.sleep(100);
    }
  }

  /** Whether {@code log} holds {@code text} after its first {@code from} bytes. */
  private static boolean says(Path log, long from, String text) {
    try {
      byte[] all = Files.readAllBytes(log);
      return from < all.length
          && new String(all, (int) from, all.length - (int) from, java.nio.charset.StandardCharsets.UTF_8).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  private static String lastLine(Path log) {
    try {
      List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
      return lines.isEmpty() ? "" : ": " + lines.get(lines.size() - 1).strip();
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }

  /** Stops every process it started (SIGTERM, SIGKILL after the grace period) and waits for them. */
  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run: nothing left to remove
    }
  }

  private void stopAll() {
    List<Process> running;
    synchronized (this) {
      closed = true;
      running = new ArrayList<>(processes.values());
    }
    // whole trees: a task's own children (none today, but a task is a command line) go with it
    List<ProcessHandle> descendants = new ArrayList<>();
    running.forEach(p -> p.descendants().forEach(descendants::add));
    running.forEach(Process::destroy);
    descendants.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + options.grace().toNanos();
    for (Process p : running) {
      try {
        if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          p.destroyForcibly();
          p.waitFor();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  /** {@code n} distinct ports that are free now (the OS's ephemeral ports). */
  private static List<Integer> freePorts(int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0);
        sockets.add(s);
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port: " + e.getMessage(), e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a socket that only reserved a number
        }
      }
    }
  }
}
