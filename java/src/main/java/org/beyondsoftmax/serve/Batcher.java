package org.beyondsoftmax.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.tensorflow.exceptions.TFInvalidArgumentException;

/**
 * Dynamic batching: predict requests wait in a bounded queue; one worker takes the oldest and
 * adds the requests behind it that can share its session run (same model version, signature and
 * batch key) until the batch holds {@code maxBatch} instances, or the oldest has waited
 * {@code timeout}, or no other request is on its way, then runs them as one batch. Requests
 * queued when the timeout has passed still join (a busy worker never waits; a lone request does
 * not wait for company that is not coming). A full queue refuses at once (HTTP 429).
 *
 * <p>If a batch of several requests fails, each is run alone, so that one request's error does
 * not become another's.
 */
public final class Batcher implements AutoCloseable {
  /** A request's instances that share a batch key, and where their results go. */
  private record Job(Endpoint endpoint, Object key, List<Instance> instances,
      CompletableFuture<List<Map<String, JsonNode>>> result, long enqueued, Runnable done) {
    /** Same endpoint object (so same model version and signature) and same batch key. */
    boolean joins(Job first) {
      return endpoint == first.endpoint && Objects.equals(key, first.key);
    }
  }

  /** How often a waiting batch looks whether anybody else is still on the way. */
  private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

  private final int maxBatch;
  private final long timeoutNanos;
  private final IntSupplier arriving;
  private final int capacity;
  private final ServerMetrics metrics;
  private final Consumer<String> log;
  private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final Thread worker;
  private final Object admission = new Object();
  private int queued; // requests (jobs) in the queue, guarded by admission
  private volatile boolean closed;

  /**
   * @param maxBatch the most instances per session run (and per request)
   * @param timeout how long the oldest request waits for others
   * @param capacity the most requests waiting
   * @param arriving how many requests are on their way to {@link #submit} (being read); a batch
   *     stops waiting for company when there are none, so a lone request runs at once
   */
  public Batcher(int maxBatch, Duration timeout, int capacity, IntSupplier arriving, ServerMetrics metrics,
      Consumer<String> log) {
    if (maxBatch < 1 || capacity < 1 || timeout.isNegative()) {
      throw new IllegalArgumentException("maxBatch and capacity must be >= 1 and timeout >= 0, got " + maxBatch
          + ", " + capacity + ", " + timeout);
    }
    this.maxBatch = maxBatch;
    this.timeoutNanos = timeout.toNanos();
    this.capacity = capacity;
    this.arriving = arriving;
    this.metrics = metrics;
    this.log = log;
    this.worker = new Thread(this::work, "batcher");
    worker.setDaemon(true);
    worker.start();
  }

  public int maxBatch() {
    return maxBatch;
  }

  /** Whether {@link #close()} has begun: new requests are refused. */
  boolean isClosed() {
    return closed;
  }

  /** Requests waiting. */
  public int queueLength() {
    synchronized (admission) {
      return queued;
    }
  }

  /**
   * Queues a request's instances.
   *
   * @param release runs once when all the instances have run or failed, or when they are refused
   *     (it gives back the request's reference to the model version)
   * @return per instance (in order) its outputs by name
   * @throws ApiException 429 when the queue is full, 503 after {@link #close()}
   */
  public CompletableFuture<List<Map<String, JsonNode>>> submit(Endpoint endpoint, List<Instance> instances,
      Runnable release) {
    Map<Object, List<Integer>> byKey = new LinkedHashMap<>();
    for (int i = 0; i < instances.size(); i++) {
      byKey.computeIfAbsent(endpoint.batchKey(instances.get(i)), k -> new ArrayList<>()).add(i);
    }
    List<Job> jobs = new ArrayList<>();
    long now = System.nanoTime();
    AtomicInteger left = new AtomicInteger(byKey.size());
    Runnable jobDone = () -> {
      if (left.decrementAndGet() == 0) {
        release.run();
      }
    };
    for (var e : byKey.entrySet()) {
      jobs.add(new Job(endpoint, e.getKey(), e.getValue().stream().map(instances::get).toList(),
          new CompletableFuture<>(), now, jobDone));
    }
    synchronized (admission) {
      if (closed || queued + jobs.size() > capacity) {
        release.run();
        throw closed ? new ApiException(503, "the server is shutting down")
            : new ApiException(429, "the server is busy: " + queued + " requests are waiting (--queue-size "
                + capacity + "); retry later");
      }
      queued += jobs.size();
      queue.addAll(jobs);
    }
    if (jobs.size() == 1) {
      return jobs.get(0).result();
    }
    // instances of different keys ran in different batches: put their results back in order
    return CompletableFuture.allOf(jobs.stream().map(Job::result).toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<Map<String, JsonNode>> all = new ArrayList<>(instances.size());
      for (int i = 0; i < instances.size(); i++) {
        all.add(null);
      }
      int j = 0;
      for (List<Integer> positions : byKey.values()) {
        List<Map<String, JsonNode>> part = jobs.get(j++).result().join();
        for (int p = 0; p < positions.size(); p++) {
          all.set(positions.get(p), part.get(p));
        }
      }
      return all;
    });
  }

  private Job take(long waitNanos) throws InterruptedException {
    Job j = waitNanos > 0 ? queue.poll(waitNanos, TimeUnit.NANOSECONDS) : queue.poll();
    if (j != null) {
      synchronized (admission) {
        queued--;
      }
    }
    return j;
  }

  private void work() {
    Job holdover = null;
    while (true) {
      try {
        Job first = holdover != null ? holdover : take(TimeUnit.MILLISECONDS.toNanos(50));
        holdover = null;
        if (first == null) {
          if (closed && queue.isEmpty()) {
            return;
          }
          continue;
        }
        List<Job> batch = new ArrayList<>(List.of(first));
        int n = first.instances().size();
        long deadline = first.enqueued() + timeoutNanos;
        while (n < maxBatch) {
          Job next = take(Math.min(deadline - System.nanoTime(), POLL_NANOS));
          if (next == null) {
            if (System.nanoTime() >= deadline || arriving.getAsInt() == 0) {
              break; // the timeout has passed, or nobody else is on the way
            }
            continue;
          }
          if (!next.joins(first) || n + next.instances().size() > maxBatch) {
            holdover = next;
            break;
          }
          batch.add(next);
          n += next.instances().size();
        }
        run(batch);
      } catch (InterruptedException e) {
        if (closed) {
          return;
        }
      } catch (RuntimeException | Error e) {
        log.accept("batcher: " + e); // the worker never dies
      }
    }
  }

  private void run(List<Job> batch) {
    try {
      runTogether(batch);
    } catch (RuntimeException e) {
      if (batch.size() == 1) {
        batch.get(0).result().completeExceptionally(asApiException(e));
      } else {
        for (Job j : batch) {
          try {
            runTogether(List.of(j));
          } catch (RuntimeException alone) {
            j.result().completeExceptionally(asApiException(alone));
          }
        }
      }
    } finally {
      batch.forEach(j -> j.done().run());
    }
  }

  private void runTogether(List<Job> batch) {
    List<Instance> all = new ArrayList<>();
    batch.forEach(j -> all.addAll(j.instances()));
    long start = System.nanoTime();
    List<Map<String, JsonNode>> results = batch.get(0).endpoint().run(all);
    metrics.batch(all.size(), (System.nanoTime() - start) / 1e9);
    int from = 0;
    for (Job j : batch) {
      int to = from + j.instances().size();
      j.result().complete(results.subList(from, to));
      from = to;
    }
  }

  /** A TensorFlow InvalidArgument error is the request's fault (400); anything else is ours (500). */
  private ApiException asApiException(RuntimeException e) {
    if (e instanceof ApiException a) {
      return a;
    }
    if (e instanceof TFInvalidArgumentException) {
      return ApiException.badRequest("the model rejected the input: " + Servable.firstLine(e));
    }
    log.accept("predict failed: " + e);
    return new ApiException(500, "internal error: " + Servable.firstLine(e));
  }

  /** Refuses new requests, runs those queued, and stops the worker. */
  @Override
  public void close() {
    synchronized (admission) {
      closed = true;
    }
    try {
      worker.join(TimeUnit.SECONDS.toMillis(60));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
