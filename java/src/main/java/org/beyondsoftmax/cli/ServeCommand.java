package org.beyondsoftmax.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.beyondsoftmax.serve.Device;
import org.beyondsoftmax.serve.ModelManager;
import org.beyondsoftmax.serve.ModelServer;
import org.beyondsoftmax.serve.ServerMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code beyond serve}: a SavedModel behind TensorFlow Serving's REST API, with dynamic batching. */
@Command(
    name = "serve",
    description = {
        "Serves a SavedModel (a language model of 'beyond train', or any SavedModel whose signatures take and "
            + "give batched numbers) over HTTP/JSON with the request and response shapes of TensorFlow "
            + "Serving's REST API: POST /v1/models/NAME:predict with {\"instances\": [...]} or "
            + "{\"inputs\": ...}, GET /v1/models/NAME (status) and /v1/models/NAME/metadata; also /healthz, "
            + "/readyz and /metrics (Prometheus).",
        "Concurrent requests are merged into one session run of up to --max-batch instances, waiting at most "
            + "--batch-timeout-ms for each other; when --queue-size requests wait already, a new one gets 429 "
            + "at once. For a language model, \"top_k\": k in a request returns the k most probable next words "
            + "(default: the k it was exported with), and sparse heads (sparsemax, entmax) return only their "
            + "support.",
        "The model directory is polled (--poll-s): new files load as the next version; files that cannot be "
            + "loaded leave the current version serving. SIGTERM or Ctrl-C shuts down gracefully."},
    exitCodeList = {"1:could not start", "2:invalid options", "143:stopped by SIGTERM, after a graceful shutdown"})
public final class ServeCommand extends BeyondCommand {
  @Mixin
  SavedModelDir model;

  @Option(names = "--name", description = "the model's name in URLs (default: the directory's name)")
  String name;

  @Option(names = "--host", defaultValue = "0.0.0.0", description = "address to bind (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", defaultValue = "8501", description = "HTTP port, 0 for any free one (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu (default: ${DEFAULT-VALUE})")
  String device;

  @Option(names = "--max-batch", defaultValue = "64",
      description = "most instances per session run and per request (default: ${DEFAULT-VALUE})")
  int maxBatch;

  @Option(names = "--batch-timeout-ms", defaultValue = "5",
      description = "how long a request waits for others to join its batch (default: ${DEFAULT-VALUE})")
  long batchTimeoutMs;

  @Option(names = "--queue-size", defaultValue = "256",
      description = "most requests waiting for a batch; more get 429 (default: ${DEFAULT-VALUE})")
  int queueSize;

  @Option(names = "--threads", defaultValue = "128",
      description = "HTTP handler threads: requests answered concurrently (default: ${DEFAULT-VALUE})")
  int threads;

  @Option(names = "--max-body-bytes", defaultValue = "1048576",
      description = "largest request body; larger gets 413 (default: ${DEFAULT-VALUE})")
  int maxBodyBytes;

  @Option(names = "--request-timeout-ms", defaultValue = "60000",
      description = "longest wait for a batch before 503 (default: ${DEFAULT-VALUE})")
  long requestTimeoutMs;

  @Option(names = "--poll-s", defaultValue = "2",
      description = "seconds between looks for a new version of the model files, 0 for never (default: ${DEFAULT-VALUE})")
  double pollSeconds;

  @Option(names = "--shutdown-grace-s", defaultValue = "10",
      description = "how long shutdown waits for requests in flight (default: ${DEFAULT-VALUE})")
  long graceSeconds;

  @Option(names = "--quiet", description = "no request log (one line per request on stderr otherwise)")
  boolean quiet;

  @Override
  int run(PrintWriter out, PrintWriter err) throws InterruptedException {
    Device d = checked(() -> Device.parse(device));
    if (!(pollSeconds >= 0)) {
      throw invalid("--poll-s must be >= 0, got " + pollSeconds);
    }
    ModelServer.Options options = checked(() -> new ModelServer.Options(host, port, maxBatch,
        Duration.ofMillis(batchTimeoutMs), queueSize, threads, maxBodyBytes, Duration.ofMillis(requestTimeoutMs),
        Duration.ofSeconds(graceSeconds)));
    String modelName = name != null ? name : model.dir.toAbsolutePath().normalize().getFileName().toString();
    Consumer<String> log = line -> {
      synchronized (err) {
        err.println(line);
        err.flush();
      }
    };
    ServerMetrics metrics = new ServerMetrics(maxBatch);
    ModelManager manager = new ModelManager(modelName, model.dir, d, Duration.ofMillis(Math.round(pollSeconds * 1000)),
        log, metrics);
    ModelServer server;
    try {
      d.check();
      manager.start();
      server = new ModelServer(manager, metrics, options, quiet ? line -> { } : log);
    } catch (IllegalArgumentException | IllegalStateException | IOException e) {
      manager.close();
      String why = e instanceof BindException ? "cannot listen on " + host + ":" + port + " (--host, --port): "
          + e.getMessage() : e instanceof IOException ? e.toString() : e.getMessage();
      err.println("serve: " + why);
      err.flush();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.accept("shutting down: finishing requests in flight");
      server.close();
      log.accept("stopped");
      stopped.countDown();
    }, "shutdown"));
    log.accept(String.format("serving %s on http://%s:%d/v1/models/%s (device %s, max batch %d, batch timeout %d ms, "
        + "queue %d)", modelName, host, server.port(), modelName, device, maxBatch, batchTimeoutMs, queueSize));
    stopped.await();
    return 0;
  }
}
