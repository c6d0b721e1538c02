package org.beyondsoftmax.bottleneck;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.beyondsoftmax.models.Adam;
import org.beyondsoftmax.models.HeadConfig;
import org.beyondsoftmax.models.HeadSpec;
import org.beyondsoftmax.models.Heads;
import org.beyondsoftmax.models.MonotoneFunction;
import org.beyondsoftmax.models.OutputHead;
import org.beyondsoftmax.models.Parameter;
import org.beyondsoftmax.models.Parameters;
import org.beyondsoftmax.models.Plif;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;

/**
 * One run of the experiment: a graph with the context embeddings H [N, D] and one head, trained
 * full-batch on mean_j targetLoss(h_j, P*_j), then measured. The KL and mode match are computed in
 * the graph from log Q (float64 sums); the rank and spectra in Java from fetched blocks.
 *
 * <p>The session is single-threaded: some of TensorFlow's multithreaded CPU kernels (the weighted
 * Bincount of the PLIF gradient) sum in an order that varies from run to run, and a seed must
 * reproduce every number. {@link BottleneckExperiment} runs several runs at once instead.
 */
final class BottleneckRun {
  /** Points of the learned-function curve. */
  static final int CURVE_POINTS = 201;

  /** The result, and Q [N * M] when asked for (for independent checks). */
  record Outcome(BottleneckResult result, Optional<float[]> probabilities) {}

  private static final ConfigProto SINGLE_THREADED = ConfigProto.newBuilder()
      .setIntraOpParallelismThreads(1).setInterOpParallelismThreads(1)
      .setUsePerSessionThreads(true) // else the first session sizes a pool shared by all
      .build();

  private BottleneckRun() {}

  static Outcome train(Problem problem, HeadSpec spec, int dims, BottleneckSettings settings,
      ProgressListener progress, boolean keepProbabilities) {
    int n = problem.contexts();
    int m = problem.classes();
    int rankRows = Math.min(settings.rankRows(), n);
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      HeadConfig<TFloat32> config = new HeadConfig<>(tf, TFloat32.class, dims, m, settings.seed());
      OutputHead<TFloat32> head = Heads.create(spec, config);
      Parameters<TFloat32> contextParams = new Parameters<>(config, "contexts");
      Operand<TFloat32> h = contextParams.normal("embeddings", Shape.of(n, dims), 1.0);
      Operand<TFloat32> targets =
          tf.constant(Shape.of(n, m), DataBuffers.of(problem.targets32(), true, false));

      Operand<TFloat32> loss = tf.math.mean(head.targetLoss(h, targets), tf.constant(0));
      List<Parameter<TFloat32>> trained = new ArrayList<>(head.parameters());
      trained.addAll(contextParams.all());
      Op step = Adam.minimize(tf, loss, trained, Adam.Settings.of(settings.learningRate()));

      Ops e = tf.withSubScope("evaluation");
      Operand<TFloat32> q = head.probabilities(h);
      Operand<TFloat32> logQ = head.isSparse()
          ? smoothedLog(e, q, settings.klSmoothing(), m) : head.logProbabilities(h);
      Operand<TFloat64> kl = meanKl(e, targets, logQ);
      Operand<TFloat64> modeMatch = e.math.mul(e.math.mean(e.dtypes.cast(e.math.equal(
          e.math.argMax(logQ, e.constant(1), TInt64.class),
          e.math.argMax(targets, e.constant(1), TInt64.class)), TFloat64.class), e.constant(0)),
          e.constant(100.0));
      Operand<TFloat32> block = e.slice(logQ, e.constant(new int[] {0, 0}), e.constant(new int[] {rankRows, m}));

      List<Operand<?>> fetches = new ArrayList<>(List.of(loss, kl, modeMatch, block));
      head.classEmbeddings().ifPresent(fetches::add);
      Optional<MonotoneFunction<TFloat32>> function = head.pointwiseFunction();
      double[] grid = new double[CURVE_POINTS];
      function.ifPresent(f -> {
        for (int i = 0; i < CURVE_POINTS; i++) {
          grid[i] = -f.range() + 2 * f.range() * i / (CURVE_POINTS - 1);
        }
        fetches.add(f.apply(e, e.dtypes.cast(e.constant(grid), TFloat32.class)));
        if (f instanceof Plif<TFloat32> plif) {
          fetches.add(plif.slopes(e));
        }
      });
      if (head.isSparse()) {
        Operand<TBool> on = e.math.greater(q, e.zerosLike(q));
        fetches.add(e.reduceSum(e.dtypes.cast(on, TFloat32.class), e.constant(1), ReduceSum.keepDims(false)));
      }
      if (keepProbabilities) {
        fetches.add(q);
      }

      try (Session session = new Session(graph, SINGLE_THREADED)) {
        session.initialize();
        long start = System.nanoTime();
        for (int i = 0; i < settings.steps(); i++) {
          session.run(step);
          progress.stepDone();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Session.Runner runner = session.runner();
        fetches.forEach(runner::fetch);
        try (var out = runner.run()) {
          int k = 0;
          double finalLoss = Fetch.doubles(out.get(k++))[0];
          double klValue = Fetch.doubles(out.get(k++))[0];
          double match = Fetch.doubles(out.get(k++))[0];
          double[] logProbSv = SingularValues.of(Fetch.matrix(Fetch.doubles(out.get(k++)), rankRows, m));
          double[] embeddingSv = null;
          if (head.classEmbeddings().isPresent()) {
            embeddingSv = SingularValues.of(Fetch.matrix(Fetch.doubles(out.get(k++)), m, dims));
          }
          BottleneckResult.Curve curve = null;
          BottleneckResult.Stats slopes = null;
          if (function.isPresent()) {
            curve = new BottleneckResult.Curve(grid, Fetch.doubles(out.get(k++)));
            if (function.get() instanceof Plif<TFloat32>) {
              slopes = BottleneckResult.Stats.of(Fetch.doubles(out.get(k++)));
            }
          }
          BottleneckResult.Stats support = head.isSparse() ? BottleneckResult.Stats.of(Fetch.doubles(out.get(k++))) : null;
          float[] probabilities = keepProbabilities ? Fetch.floats(out.get(k++)) : null;
          BottleneckResult result = new BottleneckResult(spec.toString(), dims, m, n, klValue,
              head.isSparse() ? settings.klSmoothing() : null, match,
              SingularValues.rank(logProbSv, rankRows, m, SingularValues.FLOAT32_EPS), rankRows,
              SingularValues.tolerance(logProbSv, rankRows, m, SingularValues.FLOAT32_EPS),
              head.parameterCount(), seconds, finalLoss, slopes, support,
              new BottleneckResult.Spectrum(logProbSv, embeddingSv), curve);
          return new Outcome(result, Optional.ofNullable(probabilities));
        }
      }
    }
  }

  /** log((1 - eps) q + eps/M). */
  private static Operand<TFloat32> smoothedLog(Ops tf, Operand<TFloat32> q, double eps, int m) {
    return tf.math.log(tf.math.add(tf.math.mul(q, tf.constant((float) (1 - eps))),
        tf.constant((float) (eps / m))));
  }

  /** mean_j sum_i P*_ji (log P*_ji - log Q_ji), terms with P*_ji = 0 left out, in float64. */
  private static Operand<TFloat64> meanKl(Ops tf, Operand<TFloat32> targets, Operand<TFloat32> logQ) {
    Operand<TFloat64> p = tf.dtypes.cast(targets, TFloat64.class);
    Operand<TBool> on = tf.math.greater(p, tf.zerosLike(p));
    Operand<TFloat64> safeP = tf.select(on, p, tf.onesLike(p));
    Operand<TFloat64> terms = tf.select(on,
        tf.math.mul(p, tf.math.sub(tf.math.log(safeP), tf.dtypes.cast(logQ, TFloat64.class))),
        tf.zerosLike(p));
    return tf.math.mean(tf.reduceSum(terms, tf.constant(1)), tf.constant(0));
  }
}
