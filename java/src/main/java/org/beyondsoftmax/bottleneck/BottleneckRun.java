package org.beyondsoftmax.bottleneck;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.beyondsoftmax.models.heads.HeadConfig;
import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.heads.OutputHead;
import org.beyondsoftmax.models.nn.Parameter;
import org.beyondsoftmax.models.nn.Parameters;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * One run of the experiment: a graph with the context embeddings H [N, D] (normal(0, 1)) and one
 * head, trained full-batch by Adam on mean_j targetLoss(h_j, P*_j), then measured
 * ({@link Measurements}).
 *
 * <p>The session is single-threaded: some of TensorFlow's multithreaded CPU kernels (the weighted
 * Bincount of the PLIF gradient) sum in an order that varies from run to run, and a seed must
 * reproduce every number. {@link BottleneckExperiment} runs several runs at once instead.
 */
final class BottleneckRun {
  /** The result, and Q [N * M] when asked for (for independent checks). */
  record Outcome(BottleneckResult result, Optional<float[]> probabilities) {}

  private static final ConfigProto SINGLE_THREADED = ConfigProto.newBuilder()
      .setIntraOpParallelismThreads(1).setInterOpParallelismThreads(1)
      .setUsePerSessionThreads(true) // else the first session sizes a pool shared by all
      .build();

  private BottleneckRun() {}

  static Outcome train(Problem problem, Spec<HeadFactory> spec, int dims, BottleneckSettings settings,
      ProgressListener progress, boolean keepProbabilities) {
    int n = problem.contexts();
    int m = problem.classes();
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      HeadConfig<TFloat32> config = new HeadConfig<>(tf, TFloat32.class, dims, m, settings.seed());
      OutputHead<TFloat32> head = Heads.create(spec, config);
      Parameters<TFloat32> contexts = new Parameters<>(tf, TFloat32.class, settings.seed(), "contexts");
      Operand<TFloat32> h = contexts.normal("embeddings", Shape.of(n, dims), 1.0);
      Operand<TFloat32> targets =
          tf.constant(Shape.of(n, m), DataBuffers.of(problem.targets32(), true, false));
      Operand<TFloat32> loss = tf.math.mean(head.targetLoss(h, targets), tf.constant(0));
      List<Parameter<TFloat32>> trained = new ArrayList<>(head.parameters());
      trained.addAll(contexts.all());
      Op step = Optimizer.minimize(tf, loss, trained, settings.learningRate(), Optimizer.Settings.adam()).update();
      Measurements measurements = new Measurements(tf, head, h, targets, loss,
          settings.klSmoothing(), Math.min(settings.rankRows(), n), m, dims, keepProbabilities);

      try (Session session = new Session(graph, SINGLE_THREADED)) {
        session.initialize();
        long start = System.nanoTime();
        for (int i = 0; i < settings.steps(); i++) {
          session.run(step);
          progress.stepDone();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return measurements.read(session, spec.toString(), n, head.parameterCount(), seconds,
            head.isSparse() ? settings.klSmoothing() : null);
      }
    }
  }
}
