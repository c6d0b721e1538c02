package org.beyondsoftmax.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A server on a free loopback port for a test, and a small HTTP client for it. */
final class RunningServer implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** An answer: status and body (JSON when it parses, else null). */
  record Answer(int status, JsonNode json, String text) {}

  final ModelManager manager;
  final ModelServer server;
  final ServerMetrics metrics;
  final List<String> log = new CopyOnWriteArrayList<>();
  final String base;
  final String name;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private boolean closed;

  RunningServer(Path model, String name, ModelServer.Options options, Duration poll) throws IOException {
    this.name = name;
    this.metrics = new ServerMetrics(options.maxBatch());
    this.manager = new ModelManager(name, model, Device.CPU, poll, log::add, metrics);
    manager.start();
    this.server = new ModelServer(manager, metrics, new ModelServer.Options("127.0.0.1", 0, options.maxBatch(),
        options.batchTimeout(), options.queueSize(), options.threads(), options.maxBodyBytes(),
        options.requestTimeout(), options.shutdownGrace()), log::add);
    this.base = "http://127.0.0.1:" + server.port();
  }

  RunningServer(Path model, String name) throws IOException {
    this(model, name, ModelServer.Options.defaults(), Duration.ZERO);
  }

  static ModelServer.Options options(int maxBatch, long batchTimeoutMs, int queueSize) {
    ModelServer.Options d = ModelServer.Options.defaults();
    return new ModelServer.Options(d.host(), 0, maxBatch, Duration.ofMillis(batchTimeoutMs), queueSize, d.threads(),
        d.maxBodyBytes(), d.requestTimeout(), d.shutdownGrace());
  }

  String predictUrl() {
    return base + "/v1/models/" + name + ":predict";
  }

  Answer post(String path, String body) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  Answer predict(String body) throws IOException, InterruptedException {
    return post("/v1/models/" + name + ":predict", body);
  }

  Answer get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  private Answer send(HttpRequest.Builder b) throws IOException, InterruptedException {
    HttpResponse<String> r = client.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json;
    try {
      json = JSON.readTree(r.body());
    } catch (IOException e) {
      json = null;
    }
    return new Answer(r.statusCode(), json, r.body());
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      server.close();
    }
  }
}
