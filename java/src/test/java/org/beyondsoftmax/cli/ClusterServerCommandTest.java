package org.beyondsoftmax.cli;

import static org.beyondsoftmax.testing.BeyondRun.beyond;
import static org.beyondsoftmax.testing.BeyondRun.failsWithOneLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.beyondsoftmax.ops.testing.ChildJvm;
import org.junit.jupiter.api.Test;

/**
 * {@code beyond cluster-server}: bad input is one line naming the thing and exit status 1 (a
 * malformed spec, a task outside its job, a job that is neither ps nor worker, a port in use); a
 * good one serves until SIGTERM, or until the process named by {@code --stop-with} ends.
 */
class ClusterServerCommandTest {
  @Test
  void badInputIsOneLineNamingTheThing() {
    failsWithOneLine(beyond("cluster-server", "--cluster", "ps=h1:2222;worker=h3:99999", "--job", "ps", "--task", "0"),
        "cluster-server: cluster spec: port 99999 of /job:worker/task:0 (h3:99999) is outside 1..65535");
    failsWithOneLine(beyond("cluster-server", "--cluster", "ps=h1:2222", "--job", "ps", "--task", "0"),
        "cluster-server: cluster spec: no worker job; a cluster needs both ps=... and worker=..., "
            + "e.g. ps=h1:2222,h2:2222;worker=h3:2222");
    failsWithOneLine(beyond("cluster-server", "--cluster", "ps=h1:2222;worker=h3:2222,h4:2222", "--job", "worker", "--task", "3"),
        "cluster-server: task 3 is outside job worker (tasks 0..1)");
    failsWithOneLine(beyond("cluster-server", "--cluster", "ps=h1:2222;worker=h3:2222", "--job", "chief", "--task", "0"),
        "cluster-server: --job must be ps or worker, got 'chief'");
  }

  /** The whole output of the process, TensorFlow included, is the one line. */
  @Test
  void aPortInUseIsOneLineNamingIt() throws IOException, InterruptedException {
    try (ServerSocket busy = new ServerSocket(0)) {
      int port = busy.getLocalPort();
      Process p = ChildJvm.of(Main.class.getName(), "cluster-server", "--cluster",
          "ps=127.0.0.1:" + port + ";worker=127.0.0.1:1", "--job", "ps", "--task", "0").start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(1, p.waitFor(), out);
      assertEquals("cluster-server: port " + port + " of /job:ps/task:0 (127.0.0.1:" + port + ") is already in use\n", out);
    }
  }

  @Test
  void servesUntilSigtermOrUntilTheProcessItStopsWithEnds() throws IOException, InterruptedException {
    Process sleeper = new ProcessBuilder("sleep", "600").start();
    Process server = null;
    try {
      int port = freePort();
      server = ChildJvm.of(Main.class.getName(), "cluster-server", "--cluster", "ps=127.0.0.1:" + port
          + ";worker=127.0.0.1:1", "--job", "ps", "--task", "0", "--stop-with", Long.toString(sleeper.pid())).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("cluster-server:")) {
        // TensorFlow's start-up lines
      }
      assertEquals("cluster-server: /job:ps/task:0 of ps=127.0.0.1:" + port + ";worker=127.0.0.1:1 serving on port "
          + port, line);
      try (Socket s = new Socket("127.0.0.1", port)) {
        assertTrue(s.isConnected());
      }
      sleeper.destroy();
      assertTrue(server.waitFor(15, TimeUnit.SECONDS), "still serving after the process it stops with ended");
      assertEquals(0, server.exitValue());

      int port2 = freePort();
      server = ChildJvm.of(Main.class.getName(), "cluster-server", "--cluster", "ps=127.0.0.1:" + port2
          + ";worker=127.0.0.1:1", "--job", "ps", "--task", "0").start();
      out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      while ((line = out.readLine()) != null && !line.startsWith("cluster-server:")) {
        // TensorFlow's start-up lines
      }
      server.destroy();
      assertTrue(server.waitFor(15, TimeUnit.SECONDS), "still serving after SIGTERM");
      assertEquals(143, server.exitValue());
    } finally {
      sleeper.destroyForcibly();
      if (server != null) {
        server.destroyForcibly();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
