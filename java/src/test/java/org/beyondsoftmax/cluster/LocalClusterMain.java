package org.beyondsoftmax.cluster;

import java.nio.file.Path;

/**
 * Starts a local cluster of one ps and one worker, prints {@code up PID PID}, and waits: the
 * launcher that {@link LocalClusterTest} interrupts and kills. {@code LocalClusterMain LOGDIR}.
 */
public final class LocalClusterMain {
  public static void main(String[] args) throws InterruptedException {
    LocalCluster cluster = LocalCluster.start(1, 1, LocalCluster.Options.defaults(Path.of(args[0])));
    StringBuilder line = new StringBuilder("up");
    for (Task t : cluster.spec().tasks()) {
      line.append(' ').append(cluster.process(t).orElseThrow().pid());
    }
    System.out.println(line);
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
