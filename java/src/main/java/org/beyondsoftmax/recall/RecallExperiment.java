package org.beyondsoftmax.recall;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.beyondsoftmax.models.attention.AttentionFactory;
import org.beyondsoftmax.models.spec.Spec;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Trains and tests one {@link RecallGraph} per normaliser in its own graph and session. Every
 * normaliser sees the same data: training batches from one seeded stream, test sequences per
 * length from another (so they do not depend on the training steps).
 */
public final class RecallExperiment {
  /** Where the models get their positions, for the report. */
  public static final String POSITIONS = "none: each position holds a key-value pair, recall needs content only, "
      + "and a model without positional embeddings reads any length (learned positions would not extrapolate "
      + "beyond the training length)";

  private RecallExperiment() {}

  /** Runs every normaliser of {@code settings}; {@code progress} hears each result as it comes. */
  public static RecallReport run(RecallSettings settings, Consumer<RecallReport.Result> progress) {
    RecallTask task = new RecallTask(settings.keys(), settings.values());
    List<RecallReport.Result> results = new ArrayList<>();
    for (Spec<AttentionFactory> attention : settings.attention()) {
      RecallReport.Result r = one(settings, task, attention);
      progress.accept(r);
      results.add(r);
    }
    return new RecallReport(settings, 1.0 / settings.values(), POSITIONS, results);
  }

  private static RecallReport.Result one(RecallSettings s, RecallTask task, Spec<AttentionFactory> attention) {
    long start = System.nanoTime();
    try (Graph graph = new Graph()) {
      RecallGraph g = new RecallGraph(graph, task, new RecallGraph.Size(s.width(), s.layers(), s.heads()), attention,
          s.trainLength(), !s.curriculum().isEmpty(), s.testLengths(), s.learningRate(), s.seed());
      try (Session session = new Session(graph)) {
        session.initialize();
        SplittableRandom data = new SplittableRandom(s.seed());
        double loss = Double.NaN;
        for (int i = 0; i < s.steps(); i++) {
          RecallTask.Batch b = task.sample(data, s.batch(), s.trainLength(i));
          float[] weights = null; // only a curriculum's graph has (and needs) them
          if (g.trainWeights != null) {
            RecallTask.Padded padded = b.leftPadded(s.trainLength());
            b = padded.batch();
            weights = padded.weights();
          }
          try (TInt32 k = ints(b.keys(), b.batch(), b.length()); TInt32 v = ints(b.values(), b.batch(), b.length());
              TInt32 a = TInt32.tensorOf(Shape.of(b.batch()), DataBuffers.of(b.answers(), true, false));
              TFloat32 w = weights == null ? null
                  : TFloat32.tensorOf(Shape.of(b.batch(), b.length()), DataBuffers.of(weights, true, false))) {
            Session.Runner run = session.runner().feed(g.train.keys(), k).feed(g.train.values(), v)
                .feed(g.answers, a);
            if (w != null) {
              run.feed(g.trainWeights, w);
            }
            try (Result r = run.addTarget(g.step).fetch(g.loss).run()) {
              loss = ((TFloat32) r.get(0)).getFloat();
            }
          }
        }
        Map<Integer, Double> accuracy = new LinkedHashMap<>();
        for (int length : s.testLengths()) {
          accuracy.put(length, accuracy(session, g, task, length, s));
        }
        return new RecallReport.Result(attention.toString(), accuracy, loss, (System.nanoTime() - start) / 1e9);
      }
    }
  }

  private static double accuracy(Session session, RecallGraph g, RecallTask task, int length, RecallSettings s) {
    SplittableRandom data = new SplittableRandom(s.seed() ^ (0x9E3779B97F4A7C15L * length));
    int right = 0;
    for (int done = 0; done < s.testSequences(); done += s.batch()) {
      RecallTask.Batch b = task.sample(data, Math.min(s.batch(), s.testSequences() - done), length);
      RecallGraph.Input in = g.tests.get(length);
      try (TInt32 k = ints(b.keys(), b.batch(), length); TInt32 v = ints(b.values(), b.batch(), length);
          Result r = session.runner().feed(in.keys(), k).feed(in.values(), v).fetch(g.predictions.get(length)).run()) {
        TInt64 p = (TInt64) r.get(0);
        for (int i = 0; i < b.batch(); i++) {
          right += p.getLong(i) == b.answers()[i] ? 1 : 0;
        }
      }
    }
    return (double) right / s.testSequences();
  }

  private static TInt32 ints(int[] values, int rows, int cols) {
    return TInt32.tensorOf(Shape.of(rows, cols), DataBuffers.of(values, true, false));
  }
}
