package org.beyondsoftmax.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.beyondsoftmax.savedmodel.TensorValues;
import org.beyondsoftmax.savedmodel.ValueType;
import org.junit.jupiter.api.Test;

/** Dynamic batching: merging, limits, the bounded queue, failure isolation, release, shutdown. */
class BatcherTest {
  /** As if another request were always on its way: batches wait for their timeout. */
  private static final IntSupplier ALWAYS_ARRIVING = () -> 1;
  private final ServerMetrics metrics = new ServerMetrics(8);
  private final FakeEndpoint endpoint = new FakeEndpoint("serving_default", List.of("ids"), -1);
  private final AtomicInteger released = new AtomicInteger();

  private static Instance instance(long... ids) {
    return new Instance(Map.of("ids", new TensorValues(ValueType.INT32, new long[] {ids.length}, ids, null)), 0);
  }

  private CompletableFuture<List<Map<String, JsonNode>>> submit(Batcher b, Instance... instances) {
    return b.submit(endpoint, List.of(instances), released::incrementAndGet);
  }

  /** Waits until the worker runs the first request (and holds it at the gate); no fixed sleep. */
  private void awaitWorkerBusy() throws InterruptedException {
    assertTrue(endpoint.entered.await(10, TimeUnit.SECONDS), "the worker never took the first request");
  }

  @Test
  void requestsWaitingTogetherShareOneRunUpToMaxBatch() throws Exception {
    try (Batcher b = new Batcher(8, Duration.ofMillis(200), 100, ALWAYS_ARRIVING, metrics, line -> { })) {
      endpoint.gate = new CountDownLatch(1);
      var blocker = submit(b, instance(100)); // occupies the worker while the others queue
      awaitWorkerBusy();
      List<CompletableFuture<List<Map<String, JsonNode>>>> fs = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        fs.add(submit(b, instance(i, 1)));
      }
      endpoint.gate.countDown();
      assertEquals(100, blocker.get(10, TimeUnit.SECONDS).get(0).get("sum").asInt());
      for (int i = 0; i < 20; i++) {
        Map<String, JsonNode> r = fs.get(i).get(10, TimeUnit.SECONDS).get(0);
        assertEquals(i + 1, r.get("sum").asInt(), "request " + i + " got its own result");
      }
      assertEquals(List.of(1, 8, 8, 4), endpoint.batches, "queued requests merged into runs of at most 8");
    }
    assertEquals(21, released.get(), "every request's reference given back once");
  }

  @Test
  void aLoneRequestWaitsAtMostTheTimeout() throws Exception {
    try (Batcher b = new Batcher(64, Duration.ofMillis(30), 100, ALWAYS_ARRIVING, metrics, line -> { })) {
      long t0 = System.nanoTime();
      submit(b, instance(1)).get(10, TimeUnit.SECONDS);
      double ms = (System.nanoTime() - t0) / 1e6;
      assertTrue(ms >= 25 && ms < 2000, "waited " + ms + " ms for company, then ran alone");
      assertEquals(List.of(1), endpoint.batches);
    }
  }

  @Test
  void aLoneRequestDoesNotWaitForCompanyThatIsNotComing() throws Exception {
    try (Batcher b = new Batcher(64, Duration.ofSeconds(5), 100, () -> 0, metrics, line -> { })) {
      long t0 = System.nanoTime();
      submit(b, instance(1)).get(10, TimeUnit.SECONDS);
      double ms = (System.nanoTime() - t0) / 1e6;
      assertTrue(ms < 1000, "ran at once, not after the 5 s timeout: " + ms + " ms");
    }
  }

  @Test
  void instancesOfDifferentShapesRunApartAndComeBackInOrder() throws Exception {
    try (Batcher b = new Batcher(8, Duration.ofMillis(20), 100, ALWAYS_ARRIVING, metrics, line -> { })) {
      List<Map<String, JsonNode>> r = submit(b, instance(1), instance(2, 3), instance(4), instance(5, 6))
          .get(10, TimeUnit.SECONDS);
      assertEquals(List.of(1, 5, 4, 11), r.stream().map(m -> m.get("sum").asInt()).toList());
      assertEquals(2, endpoint.batches.size(), "one run per shape: " + endpoint.batches);
    }
    assertEquals(1, released.get());
  }

  @Test
  void aFullQueueRefusesAtOnceWith429() throws Exception {
    try (Batcher b = new Batcher(1, Duration.ZERO, 3, ALWAYS_ARRIVING, metrics, line -> { })) {
      endpoint.gate = new CountDownLatch(1);
      var running = submit(b, instance(1));
      awaitWorkerBusy();
      var queued = List.of(submit(b, instance(2)), submit(b, instance(3)), submit(b, instance(4)));
      long t0 = System.nanoTime();
      ApiException e = assertThrows(ApiException.class, () -> submit(b, instance(5)));
      assertTrue((System.nanoTime() - t0) / 1e6 < 1000, "refused without waiting");
      assertEquals(429, e.status());
      assertTrue(e.getMessage().contains("3 requests are waiting"), e.getMessage());
      assertEquals(3, b.queueLength());
      endpoint.gate.countDown();
      running.get(10, TimeUnit.SECONDS);
      for (var q : queued) {
        q.get(10, TimeUnit.SECONDS);
      }
    }
    assertEquals(5, released.get(), "the refused request's reference is given back too");
  }

  @Test
  void aFailingRequestDoesNotFailItsBatchmates() throws Exception {
    try (Batcher b = new Batcher(8, Duration.ofMillis(200), 100, ALWAYS_ARRIVING, metrics, line -> { })) {
      endpoint.gate = new CountDownLatch(1);
      var blocker = submit(b, instance(0));
      awaitWorkerBusy();
      var good1 = submit(b, instance(1));
      var bad = submit(b, instance(FakeEndpoint.POISON));
      var good2 = submit(b, instance(2));
      endpoint.gate.countDown();
      blocker.get(10, TimeUnit.SECONDS);
      assertEquals(1, good1.get(10, TimeUnit.SECONDS).get(0).get("sum").asInt());
      assertEquals(2, good2.get(10, TimeUnit.SECONDS).get(0).get("sum").asInt());
      ExecutionException e = assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
      ApiException a = (ApiException) e.getCause();
      assertEquals(400, a.status(), "TensorFlow's InvalidArgument is the request's fault");
      assertTrue(a.getMessage().contains("poisoned value 666"), a.getMessage());
    }
    assertEquals(4, released.get());
  }

  @Test
  void closeRunsWhatIsQueuedThenRefuses() throws Exception {
    Batcher b = new Batcher(2, Duration.ofMillis(1), 100, ALWAYS_ARRIVING, metrics, line -> { });
    endpoint.gate = new CountDownLatch(1);
    List<CompletableFuture<List<Map<String, JsonNode>>>> fs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      fs.add(submit(b, instance(i)));
    }
    Thread closer = new Thread(b::close);
    closer.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!b.isClosed()) {
      assertTrue(System.nanoTime() < deadline, "close() never began");
      Thread.sleep(1);
    }
    ApiException e = assertThrows(ApiException.class, () -> submit(b, instance(9)));
    assertEquals(503, e.status());
    endpoint.gate.countDown();
    closer.join(10_000);
    for (int i = 0; i < 5; i++) {
      assertEquals(i, fs.get(i).get(1, TimeUnit.SECONDS).get(0).get("sum").asInt());
    }
    assertEquals(6, released.get());
  }
}
