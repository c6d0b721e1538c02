package org.beyondsoftmax.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.beyondsoftmax.testing.SyncSgd;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * {@link ShardedRegression} trained by synchronous SGD: on a {@link LocalCluster}, one thread per
 * worker (each its own graph and {@link RemoteSession}, as separate processes would have), a worker
 * whose server was killed started again (server and worker, same arguments) like a supervisor
 * would; or in one process, averaging the workers' gradients of the same batches by hand.
 */
final class ClusterTraining {
  static final float LEARNING_RATE = 0.5f;
  static final SyncWorker.Options OPTIONS = new SyncWorker.Options(
      Duration.ofMillis(500), Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(10));

  /**
   * Thrown by a listener that killed its own worker's server and started it again: the worker
   * process crashed (server and loop) and a supervisor started it again; the loop starts again
   * here. (The server is back before the old session closes, so that the close does not wait for a
   * master that is gone.)
   */
  static final class WorkerKilled extends RuntimeException {
    WorkerKilled(String what) {
      super(what);
    }
  }

  /** The listener of one incarnation of worker w, which may use its session and graph. */
  interface Listeners {
    SyncWorker.Listener of(int worker, Session session, SyncReplicas sync);
  }

  /** What a run on the cluster gave: each worker's failure (null when it finished) and the restarts. */
  record Outcome(List<Throwable> failures, int restarts) {}

  private ClusterTraining() {}

  /**
   * Trains {@code steps} steps under the name scope {@code scope} (a fresh set of variables) with
   * every worker of the cluster; restarts a worker whose own server was lost when
   * {@code restart} is set.
   */
  static Outcome train(LocalCluster cluster, String scope, long steps, SyncWorker.Options options,
      Listeners listeners, boolean restart) throws InterruptedException {
    int workers = cluster.spec().size(ClusterSpec.WORKER);
    AtomicInteger restarts = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        int worker = w;
        done.add(pool.submit(() -> {
          while (true) {
            try {
              runWorker(cluster.spec(), scope, worker, steps, options, listeners);
              return null;
            } catch (WorkerKilled k) {
              restarts.incrementAndGet();
            } catch (ClusterFailure f) {
              if (!restart || !f.getMessage().contains("lost this worker's server")) {
                throw f;
              }
              restarts.incrementAndGet();
              cluster.restart(Task.worker(worker));
            }
          }
        }));
      }
      List<Throwable> failures = new ArrayList<>();
      for (Future<?> f : done) {
        try {
          f.get();
          failures.add(null);
        } catch (ExecutionException e) {
          failures.add(e.getCause());
        }
      }
      return new Outcome(failures, restarts.get());
    } finally {
      pool.shutdownNow();
    }
  }

  /** One incarnation of a worker: graph, session, steps until the global step reaches {@code steps}. */
  static long runWorker(ClusterSpec spec, String scope, int worker, long steps, SyncWorker.Options options,
      Listeners listeners) throws InterruptedException {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withSubScope(scope);
      int ps = spec.size(ClusterSpec.PS);
      ShardedRegression model = new ShardedRegression(tf, ps, Task.worker(worker));
      SyncReplicas sync = SyncReplicas.build(tf, spec, worker, model.pairs(), UpdateRule.sgd(LEARNING_RATE));
      try (Session s = RemoteSession.open(g, spec.target(Task.worker(worker)), SyncWorker.sessionConfig(worker, options))) {
        return new SyncWorker(s, sync, options, listeners.of(worker, s, sync))
            .train(steps, step -> model.batch(worker, step));
      }
    }
  }

  /** The variables of {@code scope} as they are on the cluster's ps tasks. */
  static List<float[]> variables(ClusterSpec spec, String scope) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withSubScope(scope);
      ShardedRegression model = new ShardedRegression(tf, spec.size(ClusterSpec.PS), Task.worker(0));
      try (Session s = RemoteSession.open(g, spec.target(Task.worker(0)), SyncWorker.sessionConfig(0, OPTIONS))) {
        return fetch(s, model);
      }
    }
  }

  /**
   * The variables after {@code steps} steps in one process: at each step the gradients of every
   * worker's batch, summed in worker order, divided by the number of workers, and v − η mean,
   * all in float32.
   */
  static List<float[]> reference(int ps, int workers, long steps) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      ShardedRegression model = new ShardedRegression(tf, ps, null);
      List<Placeholder<TFloat32>> values = new ArrayList<>();
      List<Assign<TFloat32>> assigns = new ArrayList<>();
      for (var v : model.variables) {
        values.add(tf.placeholder(TFloat32.class, Placeholder.shape(v.shape())));
        assigns.add(tf.assign(v, values.get(values.size() - 1)));
      }
      s.initialize();
      List<float[]> current = fetch(s, model);
      for (long step = 0; step < steps; step++) {
        List<List<float[]>> gradients = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
          var batch = model.batch(w, step);
          Session.Runner r = s.runner();
          batch.forEach(r::feed);
          model.gradients.forEach(r::fetch);
          try (Result result = r.run()) {
            List<float[]> grads = new ArrayList<>();
            for (int i = 0; i < model.gradients.size(); i++) {
              grads.add(floats((TFloat32) result.get(i)));
            }
            gradients.add(grads);
          } finally {
            batch.values().forEach(Tensor::close);
          }
        }
        SyncSgd.step(current, gradients, LEARNING_RATE);
        Session.Runner r = s.runner();
        List<Tensor> fed = new ArrayList<>();
        for (int i = 0; i < current.size(); i++) {
          Tensor t = TFloat32.tensorOf(model.variables.get(i).shape(), DataBuffers.of(current.get(i)));
          fed.add(t);
          r.feed(values.get(i), t).addTarget(assigns.get(i));
        }
        try {
          r.run().close();
        } finally {
          fed.forEach(Tensor::close);
        }
      }
      return current;
    }
  }

  private static List<float[]> fetch(Session s, ShardedRegression model) {
    Session.Runner r = s.runner();
    model.variables.forEach(r::fetch);
    try (Result result = r.run()) {
      List<float[]> out = new ArrayList<>();
      for (int i = 0; i < model.variables.size(); i++) {
        out.add(floats((TFloat32) result.get(i)));
      }
      return out;
    }
  }

  private static float[] floats(TFloat32 t) {
    float[] a = new float[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(a, false, false));
    return a;
  }
}
