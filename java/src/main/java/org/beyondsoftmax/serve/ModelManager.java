package org.beyondsoftmax.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The served model: loads its directory at start, and while serving watches it (as TensorFlow
 * Serving polls its model path): when the files change and then stay the same for one more
 * poll, it loads them as the next version and swaps it in between requests. A load that fails
 * (files removed, corrupt, half-written) leaves the current version serving; the failure is
 * logged and shown in the model's status until a later load succeeds.
 */
public final class ModelManager implements AutoCloseable {
  /** The model's state for {@code GET /v1/models/NAME}: the version served and the last failure. */
  public record Status(long version, String lastFailure, long failedVersion) {}

  private final String name;
  private final Path dir;
  private final Device device;
  private final Duration poll;
  private final Consumer<String> log;
  private final ServerMetrics metrics;
  private final ScheduledExecutorService watcher;
  private volatile Servable current;
  private volatile String lastFailure;
  private volatile long failedVersion;
  private String loadedFingerprint;
  private String seenFingerprint;

  /**
   * @param poll how often to look for new files; zero: never
   */
  public ModelManager(String name, Path dir, Device device, Duration poll, Consumer<String> log, ServerMetrics metrics) {
    this.name = name;
    this.dir = dir;
    this.device = device;
    this.poll = poll;
    this.log = log;
    this.metrics = metrics;
    this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "model-watcher");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Loads version 1 and starts watching.
   *
   * @throws IllegalArgumentException if the directory holds no model that can be served
   */
  public void start() {
    loadedFingerprint = fingerprint();
    seenFingerprint = loadedFingerprint;
    current = load(1);
    if (!poll.isZero()) {
      watcher.scheduleWithFixedDelay(this::check, poll.toMillis(), poll.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private Servable load(long version) {
    long t0 = System.nanoTime();
    try {
      Servable s = Servable.load(dir, device, version);
      metrics.modelLoaded(true);
      log.accept(String.format("loaded %s version %d from %s in %.1f s: serving %s%s", name, version, dir,
          (System.nanoTime() - t0) / 1e9, String.join(", ", new TreeSet<>(s.endpoints().keySet())),
          s.skipped().isEmpty() ? "" : "; not serving " + s.skipped()));
      return s;
    } catch (RuntimeException e) {
      metrics.modelLoaded(false);
      throw e;
    }
  }

  /** One poll: a change that has settled is loaded as the next version. */
  private void check() {
    try {
      String now = fingerprint();
      boolean settled = now.equals(seenFingerprint);
      seenFingerprint = now;
      if (!settled || now.equals(loadedFingerprint)) {
        return;
      }
      loadedFingerprint = now; // try each settled state once
      long next = Math.max(current.version(), failedVersion) + 1;
      try {
        Servable fresh = load(next);
        Servable old = current;
        current = fresh;
        lastFailure = null;
        old.release();
      } catch (RuntimeException e) {
        lastFailure = Servable.firstLine(e);
        failedVersion = next;
        log.accept("could not load version " + next + " of " + name + " (still serving version " + current.version()
            + "): " + lastFailure);
      }
    } catch (RuntimeException | Error e) {
      log.accept("model watcher: " + e); // never let the scheduled task die
    }
  }

  /** The files' names, sizes and times: what a new export changes. */
  private String fingerprint() {
    if (!Files.isDirectory(dir)) {
      return "missing";
    }
    StringBuilder b = new StringBuilder();
    try (Stream<Path> files = Files.walk(dir, 3)) {
      for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
        try {
          b.append(dir.relativize(p)).append(':').append(Files.size(p)).append(':')
              .append(Files.getLastModifiedTime(p).toMillis()).append(';');
        } catch (IOException e) {
          b.append(p).append(":gone;");
        }
      }
    } catch (IOException | RuntimeException e) {
      return "unreadable:" + e.getMessage();
    }
    return b.toString();
  }

  public String name() {
    return name;
  }

  /**
   * The current version, retained: release it when done with it ({@link Servable#release()}).
   *
   * @throws ApiException 503 before the first load or after close
   */
  public Servable acquire() {
    for (int attempt = 0; attempt < 100; attempt++) {
      Servable s = current;
      if (s == null) {
        throw new ApiException(503, "model " + name + " is not loaded");
      }
      if (s.retain()) {
        return s;
      }
    }
    throw new ApiException(503, "model " + name + " is being replaced; retry");
  }

  public Status status() {
    Servable s = current;
    return new Status(s == null ? 0 : s.version(), lastFailure, failedVersion);
  }

  @Override
  public void close() {
    watcher.shutdownNow();
    try {
      watcher.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Servable s = current;
    current = null;
    if (s != null) {
      s.release();
    }
  }
}
