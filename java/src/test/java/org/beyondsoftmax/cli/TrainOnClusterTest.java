package org.beyondsoftmax.cli;

import static org.beyondsoftmax.testing.BeyondRun.beyond;
import static org.beyondsoftmax.testing.BeyondRun.failsWithOneLine;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.beyondsoftmax.testing.BeyondRun;
import org.beyondsoftmax.testing.TinyLanguageModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beyond train --cluster SPEC --job worker --task I} and {@code --local-cluster} given bad
 * input: one line naming the thing, exit status 1, before any TensorFlow server starts — a
 * malformed spec, a task outside the job, a job other than worker, a ps that does not answer within
 * the startup timeout, the worker's own port in use, a malformed local cluster, both options at
 * once, the Transformer backbone (the cluster trains the LSTM only). A ps here is only a socket
 * that accepts: the worker probes the ps tasks by connecting.
 */
class TrainOnClusterTest {
  @TempDir
  static Path root;
  private static Path corpus;

  @BeforeAll
  static void corpus() throws IOException {
    corpus = TinyLanguageModels.corpus(root.resolve("text"), 20, 4);
  }

  private static BeyondRun train(String out, String... more) {
    List<String> args = new ArrayList<>(List.of("train", "--corpus", corpus.toString(), "--out",
        root.resolve(out).toString(), "--embed", "4", "--hidden", "4", "--batch", "2", "--bptt", "3"));
    args.addAll(List.of(more));
    return beyond(args);
  }

  @Test
  void aMalformedSpecATaskOutsideItsJobOrAnotherJobIsOneLine() {
    failsWithOneLine(train("spec", "--cluster", "ps=h1:2222;worker=h3:99999", "--job", "worker", "--task", "0"),
        "beyond train: cluster spec: port 99999 of /job:worker/task:0 (h3:99999) is outside 1..65535");
    failsWithOneLine(train("task", "--cluster", "ps=h1:2222;worker=h3:2222,h4:2222", "--job", "worker", "--task", "2"),
        "beyond train: task 2 is outside job worker (tasks 0..1)");
    failsWithOneLine(train("job", "--cluster", "ps=h1:2222;worker=h3:2222", "--job", "ps", "--task", "0"),
        "beyond train: --cluster needs --job worker and --task I (parameter servers run beyond cluster-server "
            + "--job ps), got --job ps");
    failsWithOneLine(train("local", "--local-cluster", "ps=0,workers=2"),
        "beyond train: --local-cluster must be ps=P,workers=W with P, W >= 1, got 'ps=0,workers=2'");
    failsWithOneLine(train("both", "--local-cluster", "ps=1,workers=1", "--cluster", "ps=h1:2222;worker=h3:2222",
        "--job", "worker", "--task", "0"),
        "beyond train: give one of --cluster SPEC and --local-cluster ps=P,workers=W, not both");
    failsWithOneLine(train("transformer", "--backbone", "transformer", "--attention-heads", "2", "--local-cluster",
        "ps=1,workers=1"),
        "beyond train: --backbone transformer cannot train with --cluster or --local-cluster: the cluster trains the "
            + "LSTM backbone only (--backbone lstm)");
  }

  @Test
  void aPsThatDoesNotAnswerInTimeIsOneLineNamingIt() throws IOException {
    int silent;
    try (ServerSocket s = new ServerSocket(0)) {
      silent = s.getLocalPort(); // closed again: nothing listens there
    }
    try (ServerSocket worker = new ServerSocket(0)) {
      int port = worker.getLocalPort();
      worker.close();
      failsWithOneLine(train("silent", "--cluster", "ps=127.0.0.1:" + silent + ";worker=127.0.0.1:" + port,
          "--job", "worker", "--task", "0", "--startup-timeout", "1"),
          "beyond train: /job:ps/task:0 at 127.0.0.1:" + silent + " did not answer within 1 s");
    }
  }

  @Test
  void theWorkersPortInUseIsOneLineNamingIt() throws IOException {
    try (ServerSocket ps = new ServerSocket(0); ServerSocket busy = new ServerSocket(0)) {
      int port = busy.getLocalPort();
      failsWithOneLine(train("busy", "--cluster", "ps=127.0.0.1:" + ps.getLocalPort() + ";worker=127.0.0.1:" + port,
          "--job", "worker", "--task", "0", "--startup-timeout", "5"),
          "beyond train: port " + port + " of /job:worker/task:0 (127.0.0.1:" + port + ") is already in use");
    }
  }
}
