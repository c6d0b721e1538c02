package org.beyondsoftmax.bench;

import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;

/**
 * A timed step that is one {@code Session.run} of a graph it owns: feeds (owned by the caller),
 * fetches, wall time of the run. Closing it closes the session and the graph.
 */
abstract class GraphStep implements TimedStep, AutoCloseable {
  private final Graph graph;
  private final Session session;
  private final Map<Operand<?>, Tensor> feeds;
  private final List<Operand<?>> fetches;

  GraphStep(Graph graph, Session session, Map<Operand<?>, Tensor> feeds, List<Operand<?>> fetches) {
    this.graph = graph;
    this.session = session;
    this.feeds = Map.copyOf(feeds);
    this.fetches = List.copyOf(fetches);
  }

  @Override
  public final double timeStepMillis() {
    Session.Runner runner = session.runner();
    feeds.forEach(runner::feed);
    fetches.forEach(runner::fetch);
    long start = System.nanoTime();
    Result result = runner.run();
    long end = System.nanoTime();
    result.close();
    return (end - start) / 1e6;
  }

  @Override
  public void close() {
    try {
      session.close();
    } finally {
      graph.close();
    }
  }
}
