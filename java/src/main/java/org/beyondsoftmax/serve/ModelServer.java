package org.beyondsoftmax.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.beyondsoftmax.args.Arguments;

/**
 * The HTTP front of {@code beyond serve}, on the JDK's HTTP server: TensorFlow Serving's REST
 * API for one model ({@code GET /v1/models/NAME[/versions/V][/metadata]},
 * {@code POST /v1/models/NAME[/versions/V]:predict}), {@code GET /healthz} (the process
 * answers), {@code GET /readyz} (a model is loaded and the server is not shutting down) and
 * {@code GET /metrics} (Prometheus). Every error is {@code {"error": message}} with its status;
 * every request is logged in one line.
 *
 * <p>{@link #close()} shuts down gracefully: it stops accepting connections, lets the requests
 * in flight finish (up to the grace period), runs what is queued, then unloads the model.
 */
public final class ModelServer implements AutoCloseable {
  /**
   * How the server runs.
   *
   * @param maxBatch the most instances per session run, and per request
   * @param batchTimeout how long a request waits for others to share its batch
   * @param queueSize the most requests waiting for a batch; more get 429
   * @param threads HTTP handler threads (each holds one request until it is answered)
   * @param maxBodyBytes the largest request body; larger gets 413
   * @param requestTimeout the longest a request waits for its batch; then 503
   * @param shutdownGrace how long {@link #close()} waits for requests in flight
   */
  public record Options(String host, int port, int maxBatch, Duration batchTimeout, int queueSize, int threads,
      int maxBodyBytes, Duration requestTimeout, Duration shutdownGrace) {
    public Options {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("--port must be in [0, 65535], got " + port);
      }
      Arguments.atLeast("--max-batch", maxBatch, 1);
      Arguments.atLeast("--queue-size", queueSize, 1);
      Arguments.atLeast("--threads", threads, 1);
      Arguments.atLeast("--max-body-bytes", maxBodyBytes, 1);
      if (batchTimeout.isNegative() || requestTimeout.isNegative() || requestTimeout.isZero()
          || shutdownGrace.isNegative()) {
        throw new IllegalArgumentException("--batch-timeout-ms and --shutdown-grace-s must be >= 0, "
            + "the request timeout > 0");
      }
    }

    public static Options defaults() {
      return new Options("0.0.0.0", 8501, 64, Duration.ofMillis(5), 256, 128, 1 << 20, Duration.ofSeconds(60),
          Duration.ofSeconds(10));
    }

    public Options withPort(int p) {
      return new Options(host, p, maxBatch, batchTimeout, queueSize, threads, maxBodyBytes, requestTimeout,
          shutdownGrace);
    }
  }

  private static final Pattern MODEL_PATH = Pattern.compile(
      "/v1/models/([^/:]+)(?:/versions/([^/:]+))?(/metadata)?(?::([A-Za-z]+))?/?");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The most of an oversized body read (and discarded) before answering 413. */
  private static final long MAX_DRAIN = 64L << 20;

  static {
    // The JDK's server writes an answer's headers and body in two segments; with Nagle's algorithm
    // the body then waits for the client's delayed ACK (~40 ms): 152 -> 737 answers/s at 8 clients.
    // Read once, when the first server of the JVM starts.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final Options options;
  private final ModelManager model;
  private final Batcher batcher;
  private final ServerMetrics metrics;
  private final Consumer<String> accessLog;
  private final HttpServer http;
  private final ThreadPoolExecutor handlers;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger arriving = new AtomicInteger(); // predict requests not yet queued
  private volatile boolean draining;

  /**
   * Starts serving {@code model} (already started) on {@code options.host():port()}.
   *
   * @param accessLog receives one line per request
   */
  public ModelServer(ModelManager model, ServerMetrics metrics, Options options, Consumer<String> accessLog)
      throws IOException {
    this.options = options;
    this.model = model;
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.batcher = new Batcher(options.maxBatch(), options.batchTimeout(), options.queueSize(), arriving::get, metrics,
        accessLog);
    metrics.queueLength(batcher::queueLength);
    AtomicInteger n = new AtomicInteger();
    this.handlers = new ThreadPoolExecutor(options.threads(), options.threads(), 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(r, "http-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    handlers.allowCoreThreadTimeOut(true);
    this.http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 1024);
    http.setExecutor(handlers);
    http.createContext("/", this::handle);
    http.start();
  }

  /** The port bound (useful with port 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  /** What the request log and the metrics say of a request besides its status. */
  private static final class Note {
    String endpoint = "other";
    int instances;
  }

  private void handle(HttpExchange ex) {
    long start = System.nanoTime();
    String path = ex.getRequestURI().getPath();
    Note note = new Note();
    int code = 500;
    inFlight.incrementAndGet();
    try {
      code = route(ex, path, note);
    } catch (ApiException e) {
      code = error(ex, e.status(), e.getMessage());
    } catch (RuntimeException | IOException | Error e) {
      accessLog.accept("internal error on " + path + ": " + e);
      code = error(ex, 500, "internal error: " + e.getMessage());
    } finally {
      double seconds = (System.nanoTime() - start) / 1e9;
      metrics.request(note.endpoint, code, seconds);
      accessLog.accept(String.format("%s %s \"%s %s\" %d %.1fms%s", Instant.now(),
          ex.getRemoteAddress() == null ? "-" : ex.getRemoteAddress().getAddress().getHostAddress(),
          ex.getRequestMethod(), path, code, seconds * 1e3, note.instances > 0 ? " instances=" + note.instances : ""));
      ex.close();
      inFlight.decrementAndGet();
    }
  }

  /** Answers one request; returns the status sent. */
  private int route(HttpExchange ex, String path, Note note) throws IOException {
    Matcher m = MODEL_PATH.matcher(path);
    if (m.matches()) {
      String verb = m.group(4);
      note.endpoint = verb != null ? verb : m.group(3) != null ? "metadata" : "status";
      requireModel(m.group(1), m.group(2));
      if (verb != null) {
        if (!verb.equals("predict")) {
          throw ApiException.badRequest("':" + verb + "' is not served; use ':predict'");
        }
        method(ex, "POST");
        return predict(ex, note);
      }
      method(ex, "GET");
      return sendJson(ex, 200, m.group(3) != null ? metadata() : status());
    }
    switch (path) {
      case "/healthz" -> {
        note.endpoint = "healthz";
        method(ex, "GET");
        return sendJson(ex, 200, JSON.createObjectNode().put("status", "ok"));
      }
      case "/readyz" -> {
        note.endpoint = "readyz";
        method(ex, "GET");
        long v = model.status().version();
        boolean ready = v > 0 && !draining;
        ObjectNode o = JSON.createObjectNode().put("status", ready ? "ready" : "not ready").put("model", model.name())
            .put("version", v);
        if (draining) {
          o.put("reason", "shutting down");
        }
        return sendJson(ex, ready ? 200 : 503, o);
      }
      case "/metrics" -> {
        note.endpoint = "metrics";
        method(ex, "GET");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        metrics.write(b);
        return send(ex, 200, metrics.contentType(), b.toByteArray());
      }
      default -> throw ApiException.notFound("no such endpoint: " + path + "; try /v1/models/" + model.name()
          + ", /v1/models/" + model.name() + ":predict, /healthz, /readyz or /metrics");
    }
  }

  /** Reads, validates and queues a predict request, and answers when its batch has run. */
  private int predict(HttpExchange ex, Note note) throws IOException {
    if (draining) {
      throw new ApiException(503, "the server is shutting down");
    }
    PredictRequest request;
    CompletableFuture<List<Map<String, JsonNode>>> answer;
    arriving.incrementAndGet();
    try {
      JsonNode body = readJson(ex);
      Servable s = model.acquire();
      try {
        request = PredictRequest.read(body, s::endpoint, options.maxBatch());
      } catch (RuntimeException e) {
        s.release();
        throw e;
      }
      note.instances = request.instances().size();
      answer = batcher.submit(request.endpoint(), request.instances(), s::release);
    } finally {
      arriving.decrementAndGet();
    }
    return sendJson(ex, 200, request.answer(await(answer)));
  }

  private List<Map<String, JsonNode>> await(CompletableFuture<List<Map<String, JsonNode>>> f) {
    try {
      return f.get(options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new ApiException(503, "no answer within " + options.requestTimeout().toMillis() + " ms; retry later");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ApiException a) {
        throw a;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "interrupted");
    }
  }

  private void requireModel(String name, String version) {
    if (!name.equals(model.name())) {
      throw ApiException.notFound("Servable not found for request: Latest(" + name + "); this server serves "
          + model.name());
    }
    long current = model.status().version();
    if (version != null && !version.equals(Long.toString(current))) {
      throw ApiException.notFound("Servable not found for request: Specific(" + name + ", " + version
          + "); version " + current + " is served");
    }
  }

  private static void method(HttpExchange ex, String expected) {
    if (!ex.getRequestMethod().equals(expected)) {
      throw new ApiException(405, ex.getRequestMethod() + " is not allowed here; use " + expected);
    }
  }

  private JsonNode readJson(HttpExchange ex) throws IOException {
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readNBytes(options.maxBodyBytes() + 1);
      if (body.length > options.maxBodyBytes()) {
        // read the rest (up to a bound) so that closing the connection does not reset the answer
        byte[] scratch = new byte[1 << 16];
        long drained = 0;
        for (int n = 0; n >= 0 && drained < MAX_DRAIN; n = in.read(scratch)) {
          drained += n;
        }
        throw new ApiException(413, "the request body is larger than " + options.maxBodyBytes()
            + " bytes (--max-body-bytes)");
      }
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      String what = e.getOriginalMessage().lines().findFirst().orElse("");
      int source = what.indexOf(" (start marker");
      throw ApiException.badRequest("malformed JSON: " + (source < 0 ? what : what.substring(0, source))
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ")"));
    }
  }

  private ObjectNode status() {
    ModelManager.Status s = model.status();
    ObjectNode o = JSON.createObjectNode();
    var versions = o.putArray("model_version_status");
    if (s.lastFailure() != null) {
      ObjectNode f = versions.addObject().put("version", Long.toString(s.failedVersion())).put("state", "END");
      f.putObject("status").put("error_code", "UNKNOWN").put("error_message", s.lastFailure());
    }
    ObjectNode v = versions.addObject().put("version", Long.toString(s.version()))
        .put("state", s.version() > 0 ? "AVAILABLE" : "LOADING");
    v.putObject("status").put("error_code", "OK").put("error_message", "");
    return o;
  }

  private ObjectNode metadata() {
    Servable s = model.acquire();
    try {
      ObjectNode o = JSON.createObjectNode();
      o.putObject("model_spec").put("name", model.name()).put("signature_name", "")
          .put("version", Long.toString(s.version()));
      ObjectNode defs = o.putObject("metadata").putObject("signature_def").putObject("signature_def");
      new TreeMap<>(s.endpoints()).forEach((name, e) -> defs.set(name, e.signatureDef()));
      return o;
    } finally {
      s.release();
    }
  }

  private int error(HttpExchange ex, int status, String message) {
    metrics.error(switch (status) {
      case 400, 405 -> "bad_request";
      case 404 -> "not_found";
      case 413 -> "too_large";
      case 429 -> "busy";
      case 503 -> "unavailable";
      default -> "internal";
    });
    try {
      return sendJson(ex, status, JSON.createObjectNode().put("error", message));
    } catch (IOException e) {
      return status; // the client is gone
    }
  }

  private static int sendJson(HttpExchange ex, int status, JsonNode body) throws IOException {
    return send(ex, status, "application/json", JSON.writeValueAsBytes(body));
  }

  private static int send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
    return status;
  }

  /** Graceful shutdown: no new connections, requests in flight answered, queue run, model unloaded. */
  @Override
  public void close() {
    draining = true; // new predict requests get 503 from now on
    // the JDK 17 server's stop(delay) waits the whole delay: wait for the requests in flight here
    long deadline = System.nanoTime() + options.shutdownGrace().toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    http.stop(0);
    batcher.close();
    handlers.shutdown();
    model.close();
  }
}
