package org.beyondsoftmax.bottleneck;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.beyondsoftmax.models.heads.OutputHead;
import org.beyondsoftmax.models.nn.MonotoneFunction;
import org.beyondsoftmax.models.nn.PlifFunction;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt64;

/**
 * What is measured after a run, as graph outputs fetched in one Session.run: the KL and mode match
 * (in the graph, float64 sums), a block of log Q and the class embeddings (for their singular
 * values in Java), the learned pointwise function on a grid and PLIF slopes, the support sizes of
 * a sparse head, and optionally Q itself.
 */
final class Measurements {
  /** Points of the learned-function curve on [-range, range] (odd: the middle one is x = 0). */
  static final int CURVE_POINTS = 201;

  private final List<Operand<?>> fetches = new ArrayList<>();
  private final int loss;
  private final int kl;
  private final int modeMatch;
  private final int logQBlock;
  private final int embeddings;
  private final int curve;
  private final int slopes;
  private final int support;
  private final int probabilities;
  private final double[] grid;
  private final int rankRows;
  private final int classes;
  private final int dims;

  /**
   * @param targets P* [N, M]
   * @param klSmoothing eps of Q_eps for sparse heads (whose log Q is -inf at zeros)
   */
  Measurements(Ops tf, OutputHead<TFloat32> head, Operand<TFloat32> h, Operand<TFloat32> targets,
      Operand<TFloat32> lossValue, double klSmoothing, int rankRows, int classes, int dims,
      boolean keepProbabilities) {
    this.rankRows = rankRows;
    this.classes = classes;
    this.dims = dims;
    Ops e = tf.withSubScope("measurements");
    Operand<TFloat32> q = head.probabilities(h);
    Operand<TFloat32> logQ = head.isSparse()
        ? e.math.log(e.math.add(e.math.mul(q, e.constant((float) (1 - klSmoothing))),
            e.constant((float) (klSmoothing / classes))))
        : head.logProbabilities(h);
    loss = add(lossValue);
    kl = add(meanKl(e, targets, logQ));
    modeMatch = add(e.math.mul(e.math.mean(e.dtypes.cast(e.math.equal(
        e.math.argMax(logQ, e.constant(1), TInt64.class),
        e.math.argMax(targets, e.constant(1), TInt64.class)), TFloat64.class), e.constant(0)),
        e.constant(100.0)));
    logQBlock = add(e.slice(logQ, e.constant(new int[] {0, 0}), e.constant(new int[] {rankRows, classes})));
    embeddings = head.classEmbeddings().map(this::add).orElse(-1);
    Optional<MonotoneFunction<TFloat32>> f = head.pointwiseFunction();
    grid = new double[f.isPresent() ? CURVE_POINTS : 0];
    for (int i = 0; i < grid.length; i++) {
      grid[i] = f.get().range() * (2.0 * i / (CURVE_POINTS - 1) - 1);
    }
    curve = f.map(fn -> add(fn.apply(e, e.dtypes.cast(e.constant(grid), TFloat32.class)))).orElse(-1);
    slopes = f.filter(fn -> fn instanceof PlifFunction).map(fn -> add(((PlifFunction<TFloat32>) fn).slopes(e))).orElse(-1);
    if (head.isSparse()) {
      Operand<TBool> on = e.math.greater(q, e.zerosLike(q));
      support = add(e.reduceSum(e.dtypes.cast(on, TFloat32.class), e.constant(1), ReduceSum.keepDims(false)));
    } else {
      support = -1;
    }
    probabilities = keepProbabilities ? add(q) : -1;
  }

  private int add(Operand<?> x) {
    fetches.add(x);
    return fetches.size() - 1;
  }

  /** Fetches everything and assembles the run's outcome. */
  BottleneckRun.Outcome read(Session session, String head, int contexts, long params,
      double trainSeconds, Double klSmoothing) {
    Session.Runner runner = session.runner();
    fetches.forEach(runner::fetch);
    try (Result out = runner.run()) {
      double[] logProbSv = SingularValues.of(
          Fetch.matrix(Fetch.doubles(out.get(logQBlock)), rankRows, classes));
      double[] embeddingSv = embeddings < 0 ? null
          : SingularValues.of(Fetch.matrix(Fetch.doubles(out.get(embeddings)), classes, dims));
      BottleneckResult result = new BottleneckResult(head, dims, classes, contexts,
          Fetch.doubles(out.get(kl))[0], klSmoothing, Fetch.doubles(out.get(modeMatch))[0],
          SingularValues.rank(logProbSv, rankRows, classes, SingularValues.FLOAT32_EPS), rankRows,
          SingularValues.tolerance(logProbSv, rankRows, classes, SingularValues.FLOAT32_EPS),
          params, trainSeconds, Fetch.doubles(out.get(loss))[0],
          slopes < 0 ? null : BottleneckResult.Stats.of(Fetch.doubles(out.get(slopes))),
          support < 0 ? null : BottleneckResult.Stats.of(Fetch.doubles(out.get(support))),
          new BottleneckResult.Spectrum(logProbSv, embeddingSv),
          curve < 0 ? null : new BottleneckResult.Curve(grid, Fetch.doubles(out.get(curve))));
      return new BottleneckRun.Outcome(result,
          probabilities < 0 ? Optional.empty() : Optional.of(Fetch.floats(out.get(probabilities))));
    }
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
