package org.beyondsoftmax.bottleneck;

import java.util.Optional;
import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

/**
 * One run of the experiment: its graph ({@link BottleneckGraph}: the context embeddings and one
 * head) trained full-batch by Adam on mean_j targetLoss(h_j, P*_j), then measured
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
    try (Graph graph = new Graph()) {
      BottleneckGraph run = BottleneckGraph.build(graph, problem, spec, dims, settings, keepProbabilities);
      try (Session session = new Session(graph, SINGLE_THREADED)) {
        session.initialize();
        long start = System.nanoTime();
        for (int i = 0; i < settings.steps(); i++) {
          session.run(run.step());
          progress.stepDone();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return run.measurements().read(session, spec.toString(), problem.contexts(),
            run.head().parameterCount(), seconds, run.head().isSparse() ? settings.klSmoothing() : null);
      }
    }
  }
}
