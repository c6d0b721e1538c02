package org.beyondsoftmax.serve;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.IntSupplier;

/**
 * The server's metrics in Prometheus' text format ({@code GET /metrics}): requests by endpoint
 * and status code, errors by kind, the instances per session run (the batches) and its time,
 * request latency,
 * the queue's length and model loads.
 */
public final class ServerMetrics {
  /** Latency bucket bounds in seconds: 0.5 ms .. 10 s. */
  private static final double[] LATENCY_BOUNDS = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1,
      2, 5, 10};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests;
  private final Counter errors;
  private final Histogram batchSize;
  private final Histogram latency;
  private final Histogram runTime;
  private final Counter loads;
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  /** @param maxBatch the largest batch: the batch-size buckets are the powers of 2 up to it */
  public ServerMetrics(int maxBatch) {
    requests = Counter.builder().name("beyond_serve_requests").help("HTTP requests by endpoint and status code")
        .labelNames("endpoint", "code").register(registry);
    errors = Counter.builder().name("beyond_serve_errors").help("requests answered with an error, by kind")
        .labelNames("kind").register(registry);
    int buckets = 1;
    while ((1 << (buckets - 1)) < maxBatch) {
      buckets++;
    }
    batchSize = Histogram.builder().name("beyond_serve_batch_size").help("instances per session run")
        .classicOnly().classicExponentialUpperBounds(1, 2, buckets).register(registry);
    latency = Histogram.builder().name("beyond_serve_request_latency_seconds")
        .help("time from a predict request's arrival to its answer").labelNames("endpoint").classicOnly()
        .classicUpperBounds(LATENCY_BOUNDS).register(registry);
    runTime = Histogram.builder().name("beyond_serve_batch_run_seconds")
        .help("time of one batch's session run, with reading its inputs and writing its answers").classicOnly()
        .classicUpperBounds(LATENCY_BOUNDS).register(registry);
    loads = Counter.builder().name("beyond_serve_model_loads").help("model loads by result")
        .labelNames("result").register(registry);
  }

  /** Registers the queue-length gauge, read at each scrape. */
  public void queueLength(IntSupplier length) {
    GaugeWithCallback.builder().name("beyond_serve_queue_length").help("predict requests waiting for a batch")
        .callback(cb -> cb.call(length.getAsInt())).register(registry);
  }

  public void request(String endpoint, int code, double seconds) {
    requests.labelValues(endpoint, Integer.toString(code)).inc();
    if (endpoint.equals("predict")) {
      latency.labelValues(endpoint).observe(seconds);
    }
  }

  /** An error answer: bad_request, not_found, too_large, busy, unavailable, internal. */
  public void error(String kind) {
    errors.labelValues(kind).inc();
  }

  public void batch(int instances, double seconds) {
    batchSize.observe(instances);
    runTime.observe(seconds);
  }

  public void modelLoaded(boolean ok) {
    loads.labelValues(ok ? "ok" : "failed").inc();
  }

  public String contentType() {
    return writer.getContentType();
  }

  public void write(OutputStream out) throws IOException {
    writer.write(out, registry.scrape());
  }
}
