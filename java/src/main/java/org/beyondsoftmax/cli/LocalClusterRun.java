package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.beyondsoftmax.cluster.ClusterSpec;
import org.beyondsoftmax.cluster.LocalCluster;
import org.beyondsoftmax.cluster.Task;

/**
 * {@code beyond train ... --local-cluster ps=P,workers=W}: P parameter servers
 * ({@code beyond cluster-server}) and W workers ({@code beyond train} with this command's own
 * arguments and {@code --cluster SPEC --job worker --task I}) on 127.0.0.1, their output in
 * {@code DIR/cluster-logs/}, the chief's shown here as it comes. A worker that dies of a signal
 * (killed, crashed) is started again with the same arguments, at most {@value #RESTARTS} times, and
 * continues from the cluster's step; a worker that fails with a message stops the run with it; a
 * parameter server that dies stops the run with a message that says how to resume. Every process is
 * stopped when the run ends, fails or is interrupted ({@link LocalCluster}).
 */
final class LocalClusterRun {
  static final int RESTARTS = 3;
  private static final Pattern SHAPE = Pattern.compile("ps=(\\d+),workers=(\\d+)");

  private final LocalCluster cluster;
  private final PrintWriter err;
  private final String resume;
  private long shown;

  private LocalClusterRun(LocalCluster cluster, PrintWriter err, String resume) {
    this.cluster = cluster;
    this.err = err;
    this.resume = resume;
  }

  static int run(String shape, Path dir, boolean resuming, List<String> arguments, PrintWriter err)
      throws IOException, InterruptedException {
    Matcher m = SHAPE.matcher(shape.replace(" ", ""));
    if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || Integer.parseInt(m.group(2)) < 1) {
      throw new IllegalArgumentException("--local-cluster must be ps=P,workers=W with P, W >= 1, got '" + shape + "'");
    }
    List<String> worker = new ArrayList<>();
    if (arguments.isEmpty() || !arguments.get(0).equals("train")) {
      worker.add("train");
    }
    for (int i = 0; i < arguments.size(); i++) {
      String a = arguments.get(i);
      if (a.equals("--local-cluster")) {
        i++;
      } else if (!a.startsWith("--local-cluster=")) {
        worker.add(a);
      }
    }
    Files.createDirectories(dir);
    LocalCluster.Options options = LocalCluster.Options.defaults(dir.resolve("cluster-logs"));
    // a task's JVM loads TensorFlow before it listens: on a busy machine that takes minutes
    options = new LocalCluster.Options(options.logDir(), Duration.ofSeconds(300), options.grace(),
        List.of("-Xmx1g", "-XX:+UseSerialGC"), options.mainClass()).withWorkerCommand(worker);
    String again = "beyond train --resume " + dir + " --local-cluster " + shape;
    try (LocalCluster cluster = LocalCluster.start(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), options)) {
      err.println("local cluster " + cluster.spec() + (resuming ? " (resuming " + dir + ")" : "") + "; logs in "
          + options.logDir());
      err.flush();
      return new LocalClusterRun(cluster, err, again).watch();
    }
  }

  /** Until the chief ends: shows its output, restarts workers that die, stops on a lost ps. */
  private int watch() throws InterruptedException, IOException {
    ClusterSpec spec = cluster.spec();
    Map<Task, Integer> restarts = new HashMap<>();
    Task chief = Task.worker(0);
    while (true) {
      show(chief);
      for (Task t : spec.tasks()) {
        Optional<Integer> status = cluster.exitStatus(t);
        if (status.isEmpty() || (t.job().equals(ClusterSpec.WORKER) && status.get() == 0 && !t.equals(chief))) {
          continue;
        }
        int code = status.get();
        if (t.job().equals(ClusterSpec.PS)) {
          show(chief);
          throw new IllegalStateException("parameter server " + t + " at " + spec.address(t) + " exited with status " + code
              + ": its variables are lost with it; resume from the last checkpoint: " + resume);
        }
        if (t.equals(chief) && code == 0) {
          show(chief);
          return 0;
        }
        if (code < 128) {
          show(chief);
          throw new IllegalStateException("worker " + t + " failed (status " + code + ")" + lastLine(t));
        }
        int n = restarts.merge(t, 1, Integer::sum);
        if (n > RESTARTS) {
          throw new IllegalStateException("worker " + t + " died " + n + " times (last status " + code + "); its log: "
              + cluster.log(t));
        }
        err.println("local cluster: worker " + t + " died (status " + code + "); starting it again");
        err.flush();
        cluster.restart(t);
      }
      Thread.sleep(200);
    }
  }

  /** Prints what the chief wrote since the last call. */
  private void show(Task chief) throws IOException {
    Path log = cluster.log(chief);
    if (!Files.exists(log)) {
      return;
    }
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      if (f.length() <= shown) {
        return;
      }
      byte[] more = new byte[(int) (f.length() - shown)];
      f.seek(shown);
      f.readFully(more);
      shown = f.length();
      err.print(new String(more, StandardCharsets.UTF_8));
      err.flush();
    }
  }

  private String lastLine(Task t) {
    try {
      List<String> lines = Files.readAllLines(cluster.log(t)).stream().filter(l -> l.startsWith("beyond ")).toList();
      return lines.isEmpty() ? "; its log: " + cluster.log(t) : ": " + lines.get(lines.size() - 1);
    } catch (IOException e) {
      return "";
    }
  }
}
