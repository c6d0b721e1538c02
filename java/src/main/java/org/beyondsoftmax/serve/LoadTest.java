package org.beyondsoftmax.serve;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop load generator for {@code beyond loadtest}: C clients each send a request, wait
 * for its answer, and send the next, until N requests have been answered; it measures
 * throughput and latency percentiles (HdrHistogram, 1 µs .. 1 min, 3 significant digits) and
 * counts the answers by status.
 */
public final class LoadTest {
  /**
   * One level of concurrency.
   *
   * @param statuses answers by HTTP status; status 0 counts connection failures
   */
  public record Result(int concurrency, int requests, double seconds, double requestsPerSecond, double p50Ms,
      double p90Ms, double p99Ms, double maxMs, Map<Integer, Integer> statuses) {
    /** Answers with status 200. */
    public int ok() {
      return statuses.getOrDefault(200, 0);
    }
  }

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();
  private final URI url;
  private final IntFunction<String> body;

  /**
   * @param url the predict URL, e.g. {@code http://127.0.0.1:8501/v1/models/lm:predict}
   * @param body the JSON body of request i
   */
  public LoadTest(URI url, IntFunction<String> body) {
    this.url = url;
    this.body = body;
  }

  /** Sends {@code requests} requests from {@code concurrency} clients. */
  public Result run(int concurrency, int requests) throws InterruptedException {
    if (concurrency < 1 || requests < 1) {
      throw new IllegalArgumentException("concurrency and requests must be >= 1, got " + concurrency + ", " + requests);
    }
    Histogram latency = new Histogram(1, 60_000_000, 3); // microseconds
    Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    List<Thread> clients = new ArrayList<>();
    long start = System.nanoTime();
    for (int c = 0; c < concurrency; c++) {
      Thread t = new Thread(() -> {
        Histogram mine = new Histogram(1, 60_000_000, 3);
        for (int i = next.getAndIncrement(); i < requests; i = next.getAndIncrement()) {
          HttpRequest r = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60))
              .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.apply(i)))
              .build();
          long t0 = System.nanoTime();
          int status;
          try {
            status = client.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
          } catch (IOException e) {
            status = 0;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          mine.recordValue(Math.max(1, Math.min(60_000_000, (System.nanoTime() - t0) / 1000)));
          statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
        }
        synchronized (latency) {
          latency.add(mine);
        }
      }, "client-" + c);
      clients.add(t);
      t.start();
    }
    for (Thread t : clients) {
      t.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<Integer, Integer> counts = new TreeMap<>();
    statuses.forEach((s, n) -> counts.put(s, n.intValue()));
    return new Result(concurrency, requests, seconds, requests / seconds, latency.getValueAtPercentile(50) / 1e3,
        latency.getValueAtPercentile(90) / 1e3, latency.getValueAtPercentile(99) / 1e3, latency.getMaxValue() / 1e3,
        counts);
  }
}
