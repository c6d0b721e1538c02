package org.beyondsoftmax.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt64;

/**
 * One worker's loop of synchronous training ({@link SyncReplicas} says what a step does), on a
 * session of the worker's own server ({@link RemoteSession}, or any session of a graph whose
 * devices the cluster has).
 *
 * <p>Restart semantics: a worker keeps nothing between steps but the session; everything that
 * orders the steps lives on the ps tasks. A worker (the chief too) killed at any point and started
 * again with the same arguments reads the global step and carries on: it writes that step's
 * gradients where its earlier incarnation had not, and the chief applies a step only once and only
 * where it has not. Waits are blocking queue takes cut by a
 * run timeout ({@link Options#poll()}), after which the state on the ps tasks is read again, so a
 * token lost with a killed process never blocks anyone.
 */
public final class SyncWorker {
  /** The tensors to feed for this worker's batch of a step (closed by the worker after the run). */
  @FunctionalInterface
  public interface Batches {
    Map<Operand<?>, Tensor> batch(long step);
  }

  /**
   * What the chief does once it has initialized the variables and before the cluster counts as
   * initialized (the global step set): give the variables their values (a model's initial ones,
   * a checkpoint's) and say which step training starts at.
   */
  @FunctionalInterface
  public interface Initializer {
    /** @return the global step to start at */
    long initialize();

    /** Variables keep their initializers' values; training starts at step 0. */
    Initializer FRESH = () -> 0;
  }

  /** Progress of the steps, for logs (and the fault tests, which kill processes at these points). */
  public interface Listener {
    /** The worker read the global step {@code step} and is about to compute its gradients. */
    default void started(long step) {}

    /** The worker's gradients of {@code step} are on the ps tasks. */
    default void written(long step) {}

    /** Chief: every worker's gradients of {@code step} are in; the apply comes next. */
    default void gathered(long step) {}

    /** The chief applied {@code step}. */
    default void applied(long step) {}
  }

  /**
   * @param poll how long one blocking wait lasts before the state is read again
   * @param stall how long the chief waits for a worker's gradients, and a worker for the chief's
   *     apply, before giving up with a message naming who it waits for
   * @param startup how long the worker waits for the ps tasks and its own server to answer, and a
   *     worker for the chief to initialize the variables
   * @param runTimeout the longest any other run may take: TensorFlow's client waits for a master
   *     that is gone until its deadline (it retries "unavailable" with wait-for-ready), so without
   *     one a worker whose server died in another process would wait forever
   */
  public record Options(Duration poll, Duration stall, Duration startup, Duration runTimeout) {
    public static Options defaults() {
      return new Options(Duration.ofSeconds(1), Duration.ofMinutes(10), Duration.ofMinutes(2), Duration.ofMinutes(5));
    }
  }

  /**
   * The session config of worker {@code worker}: it sees the ps tasks and itself only (TensorFlow's
   * device filters), so that its session neither waits for nor fails with the other workers, and
   * its session's calls to the master time out after {@link Options#runTimeout()}.
   */
  public static ConfigProto sessionConfig(int worker, Options options) {
    return ConfigProto.newBuilder()
        .addDeviceFilters("/job:ps")
        .addDeviceFilters(Task.worker(worker).toString())
        .setOperationTimeoutInMs(options.runTimeout().toMillis())
        .build();
  }

  private final Session session;
  private final SyncReplicas sync;
  private final Options options;
  private final Listener listener;
  private final Initializer initializer;
  private final boolean chief;

  public SyncWorker(Session session, SyncReplicas sync, Options options, Listener listener) {
    this(session, sync, options, listener, Initializer.FRESH);
  }

  /** @param initializer what the chief does to a cluster it initializes (ignored on other workers) */
  public SyncWorker(Session session, SyncReplicas sync, Options options, Listener listener, Initializer initializer) {
    this.session = session;
    this.sync = sync;
    this.options = options;
    this.listener = listener;
    this.initializer = initializer;
    this.chief = sync.worker.index() == 0;
  }

  /**
   * Trains until the global step reaches {@code steps} or the step the chief ended training at
   * ({@link #finish}): initializes the variables first if this is the chief and nobody did, or
   * waits for the chief to.
   *
   * @return the global step at the end ({@code steps}, or more if the cluster was past it, or the
   *     end the chief set)
   * @throws ClusterFailure when a task is lost or a wait stalls, naming the task
   */
  public long train(long steps, Batches batches) throws InterruptedException {
    start();
    while (true) {
      long[] state = progress();
      long s = state[0];
      if (s >= steps || s >= state[1]) {
        return s;
      }
      listener.started(s);
      Map<Operand<?>, Tensor> batch = batches.batch(s);
      try {
        run("step " + s, s, r -> {
          batch.forEach(r::feed);
          r.addTarget(sync.write);
        });
      } finally {
        batch.values().forEach(Tensor::close);
      }
      listener.written(s);
      if (chief) {
        awaitWritten(s);
        listener.gathered(s);
        run("step " + s + " (apply)", s, r -> r.addTarget(sync.apply));
        listener.applied(s);
      } else {
        awaitApplied(s);
      }
    }
  }

  /**
   * The global step (or the end of training, if the chief ended it there), read together with
   * every ps task's state, so that a worker waiting on the chief notices a ps task lost or restarted.
   */
  private long healthyGlobalStep(long s) {
    List<Task> ps = new ArrayList<>(sync.psInitialized.keySet());
    String doing = "step " + s + " (waiting for the chief)";
    List<Task> lost = new ArrayList<>();
    long step = run(doing, null, r -> {
      r.fetch(sync.globalStep).fetch(sync.end);
      ps.forEach(p -> r.fetch(sync.psInitialized.get(p)));
    }, result -> {
      for (int i = 0; i < ps.size(); i++) {
        if (!((TBool) result.get(i + 2)).getBoolean()) {
          lost.add(ps.get(i));
        }
      }
      long end = ((TInt64) result.get(1)).getLong();
      return end <= s ? end + 1 : ((TInt64) result.get(0)).getLong();
    });
    if (!lost.isEmpty()) {
      throw ClusterFailure.stateLost(sync.cluster, doing, lost, null);
    }
    return step;
  }

  /** {global step, end of training}. */
  private long[] progress() {
    return run("reading the global step", null, r -> r.fetch(sync.globalStep).fetch(sync.end),
        r -> new long[] {((TInt64) r.get(0)).getLong(), ((TInt64) r.get(1)).getLong()});
  }

  /**
   * Chief: ends training at {@code step} (the global step when it stops early): every worker's
   * {@link #train} returns once it sees it.
   */
  public void finish(long step) {
    run("ending training at step " + step, step, r -> r.addTarget(sync.finish));
  }

  /** The global step: how many steps the chief has applied. */
  public long globalStep() {
    return run("reading the global step", null, r -> r.fetch(sync.globalStep), r -> ((TInt64) r.get(0)).getLong());
  }

  /**
   * Waits until every ps task of {@code cluster} answers (a worker does before it starts its own
   * server, so that a ps it cannot reach is reported before anything runs).
   *
   * @throws ClusterFailure naming the first ps task that did not answer within {@link Options#startup()}
   */
  public static void awaitParameterServers(ClusterSpec cluster, Options options) throws InterruptedException {
    TaskProbe.await(cluster, cluster.tasks().stream().filter(t -> t.job().equals(ClusterSpec.PS)).toList(),
        options.startup());
  }

  /**
   * Waits for the ps tasks and this worker's server; the chief then initializes the cluster if
   * nobody has ({@link Initializer}), the others wait until it has. {@link #train} starts with it.
   *
   * @throws ClusterFailure naming the task that did not answer, or the chief that did not initialize
   */
  public void start() throws InterruptedException {
    List<Task> needed = new ArrayList<>(sync.cluster.tasks().stream().filter(t -> t.job().equals(ClusterSpec.PS)).toList());
    needed.add(sync.worker);
    TaskProbe.await(sync.cluster, needed, options.startup());
    if (chief) {
      if (!initialized()) {
        try {
          session.forceInitialize();
        } catch (RuntimeException e) {
          throw failure("initializing the variables", e);
        }
        long first = initializer.initialize();
        run("initializing the global step", first, r -> r.addTarget(sync.initializeGlobalStep));
      }
      return;
    }
    long deadline = System.nanoTime() + options.startup().toNanos();
    while (!initialized()) {
      if (System.nanoTime() > deadline) {
        throw new ClusterFailure("the chief (" + Task.worker(0) + ") has not initialized the variables within "
            + TaskProbe.words(options.startup()));
      }
      Thread.sleep(100);
    }
  }

  private boolean initialized() {
    return run("checking initialization", null, r -> r.fetch(sync.initialized), r -> ((TBool) r.get(0)).getBoolean());
  }

  /** Chief: until every worker's slots are of step s. */
  private void awaitWritten(long s) {
    long deadline = System.nanoTime() + options.stall().toNanos();
    while (true) {
      boolean[] written = run("step " + s + " (waiting for gradients)", s, r -> r.fetch(sync.written), r -> {
        boolean[] b = new boolean[sync.workers];
        for (int w = 0; w < b.length; w++) {
          b[w] = ((TBool) r.get(0)).getBoolean(w);
        }
        return b;
      });
      List<Task> missing = new ArrayList<>();
      for (int w = 0; w < written.length; w++) {
        if (!written[w]) {
          missing.add(Task.worker(w));
        }
      }
      if (missing.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new ClusterFailure("step " + s + ": no gradients from " + missing + " within "
            + TaskProbe.words(options.stall()));
      }
      takeWithTimeout(sync.takeReady);
    }
  }

  /** Worker: until the chief has applied step s. */
  private void awaitApplied(long s) {
    long deadline = System.nanoTime() + options.stall().toNanos();
    while (true) {
      Long token = takeWithTimeout(sync.takeGo);
      if (token != null && token > s) {
        return;
      }
      if (token != null && token == s && healthyGlobalStep(s) > s) {
        return; // the chief ended training at s
      }
      if (token == null && healthyGlobalStep(s) > s) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new ClusterFailure("step " + s + ": the chief (" + Task.worker(0) + ") has not applied it within "
            + TaskProbe.words(options.stall()));
      }
    }
  }

  /**
   * A token from a queue, or null when none came within {@link Options#poll()} (or the take
   * failed: the caller reads the state next, which reports a real failure).
   */
  private Long takeWithTimeout(Operand<TInt64> take) {
    RunOptions timeout = RunOptions.newBuilder().setTimeoutInMs(options.poll().toMillis()).build();
    try (Result r = session.runner().fetch(take).setOptions(timeout).run()) {
      return ((TInt64) r.get(0)).getLong();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private void run(String doing, Long step, Consumer<Session.Runner> setup) {
    run(doing, step, setup, result -> null);
  }

  /**
   * One run, with the step fed (when not null) and {@link Options#runTimeout()}: {@code setup}
   * adds feeds, fetches and targets, {@code read} reads the result; failures come out diagnosed.
   */
  private <R> R run(String doing, Long step, Consumer<Session.Runner> setup, Function<Result, R> read) {
    TInt64 fed = step == null ? null : TInt64.scalarOf(step);
    try {
      Session.Runner r = session.runner();
      r.setOptions(RunOptions.newBuilder().setTimeoutInMs(options.runTimeout().toMillis()).build());
      if (fed != null) {
        r.feed(sync.step, fed);
      }
      setup.accept(r);
      try (Result result = r.run()) {
        return read.apply(result);
      }
    } catch (RuntimeException e) {
      throw failure(doing, e);
    } finally {
      if (fed != null) {
        fed.close();
      }
    }
  }

  private ClusterFailure failure(String doing, RuntimeException e) {
    if (e instanceof ClusterFailure f) {
      return f;
    }
    return ClusterFailure.diagnose(sync.cluster, sync.worker, doing, e, this::uninitializedPs);
  }

  /**
   * The ps tasks whose variables are uninitialized (none when that cannot be told). A ps task that
   * restarted answers on its port at once, but this worker's server may still hold a channel to
   * its old process that waits out gRPC's reconnect backoff (UNAVAILABLE): asked again for up to
   * {@link #RECONNECT} before giving up.
   */
  private List<Task> uninitializedPs() {
    List<Task> lost = new ArrayList<>();
    RunOptions timeout = RunOptions.newBuilder().setTimeoutInMs(options.runTimeout().toMillis()).build();
    for (var e : sync.psInitialized.entrySet()) {
      long deadline = System.nanoTime() + RECONNECT.toNanos();
      while (true) {
        try (Result r = session.runner().fetch(e.getValue()).setOptions(timeout).run()) {
          if (!((TBool) r.get(0)).getBoolean()) {
            lost.add(e.getKey());
          }
          break;
        } catch (RuntimeException failed) {
          if (!ClusterFailure.unavailable(failed) || System.nanoTime() > deadline || !pause(Duration.ofMillis(250))) {
            break; // cannot tell: the caller reports TensorFlow's message
          }
        }
      }
    }
    return lost;
  }

  /** How long {@link #uninitializedPs} keeps asking a ps task that is unavailable. */
  private static final Duration RECONNECT = Duration.ofSeconds(20);

  /** Sleeps; false (with the interrupt kept) when interrupted. */
  private static boolean pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
