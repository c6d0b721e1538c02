package org.beyondsoftmax.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.beyondsoftmax.models.lm.LanguageModelSession;
import org.beyondsoftmax.models.lm.Signatures;

/**
 * The cache of a language model on a token stream: its perplexity with and without the cache in
 * one pass ({@link #evaluate}), and the grid search of Grave et al. 2017 for lambda and theta
 * ({@link #tune}).
 *
 * <p>The search runs the model once per theta, fetching per prediction the head's log p_head(y)
 * and the cache's log p_cache(y) ({@value Signatures#HEAD_LOG_PROBS},
 * {@value Signatures#CACHE_LOG_PROBS}); every lambda is then scored in Java from those,
 * log p = log((1 - lambda) p_head + lambda p_cache), which is what the graph computes (for a
 * prediction without memories the two values are equal, and so is the mixture). The chosen pair
 * has the lowest perplexity (epsilon-smoothed for sparse heads, whose plain perplexity may be
 * infinite); lambda = 0 in the grid means "no cache" can win. A joint cache (TRIME's softmax,
 * {@link org.beyondsoftmax.models.cache.CacheHead#joint}) has no lambda: only theta is searched, on
 * the graph's own log-probabilities.
 *
 * @param grid every (lambda, theta) tried, with its perplexity
 * @param best the chosen point
 * @param joint whether the cache is joint (every lambda of the grid is null)
 */
public record CacheTuning(List<Point> grid, Point best, boolean joint) {
  /** Grave et al.'s range, from no cache to an even mixture and beyond. */
  public static final List<Double> LAMBDAS = List.of(0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7);
  public static final List<Double> THETAS = List.of(0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0);

  /** One point of the grid: its perplexity and epsilon-smoothed perplexity; lambda null for a joint cache. */
  public record Point(Double lambda, double theta, double perplexity, double smoothedPerplexity) {}

  /**
   * The perplexity of a stream with the cache (lambda, theta fed), and without it from the same
   * run, and the mean rank of the right memory over the predictions some memory could make.
   */
  public record Evaluation(Perplexity cached, Perplexity head, double meanRank, long ranked) {}

  /** Scores {@code stream} with the cache at {@code lambda}, {@code theta}. */
  public static Evaluation evaluate(LanguageModelSession session, int[] stream, int batch, double epsilon,
      double lambda, double theta, Perplexity.Progress progress) {
    int vocabulary = session.model().config().vocabulary();
    Perplexity.Sum cached = new Perplexity.Sum(vocabulary, epsilon);
    Perplexity.Sum head = new Perplexity.Sum(vocabulary, epsilon);
    double[] ranks = new double[2];
    List<String> outputs = List.of(Signatures.HEAD_LOG_PROBS, Signatures.CACHE_RANK);
    Perplexity.scan((b, s) -> session.evaluate(b, s, feeds(lambda, theta), outputs), stream, batch,
        session.steps(), progress, (r, j) -> {
          cached.add(r.logProbs()[j], r.support() == null ? Double.NaN : r.support()[j]);
          head.add(r.outputs().get(Signatures.HEAD_LOG_PROBS)[j], Double.NaN);
          float rank = r.outputs().get(Signatures.CACHE_RANK)[j];
          if (rank > 0) {
            ranks[0] += rank;
            ranks[1]++;
          }
        });
    return new Evaluation(cached.result(), head.result(), ranks[1] == 0 ? Double.NaN : ranks[0] / ranks[1],
        (long) ranks[1]);
  }

  /**
   * The grid search on {@code stream} (the validation split).
   *
   * @param sparse choose by the epsilon-smoothed perplexity
   */
  public static CacheTuning tune(LanguageModelSession session, int[] stream, int batch, double epsilon,
      List<Double> lambdas, List<Double> thetas, boolean sparse, Perplexity.Progress progress) {
    if (lambdas.isEmpty() || thetas.isEmpty()) {
      throw new IllegalArgumentException("the grid needs at least one lambda and one theta");
    }
    int vocabulary = session.model().config().vocabulary();
    boolean joint = session.modelGraph().cache().joint();
    List<Point> grid = new ArrayList<>();
    for (double theta : thetas) {
      float[] head = new float[stream.length - 1]; // one per prediction
      float[] cache = new float[stream.length - 1];
      int[] n = {0};
      List<String> outputs = List.of(Signatures.HEAD_LOG_PROBS, Signatures.CACHE_LOG_PROBS);
      Perplexity.scan((b, s) -> session.evaluate(b, s, feeds(0, theta), outputs), stream, batch,
          session.steps(), progress, (r, j) -> {
            head[n[0]] = joint ? r.logProbs()[j] : r.outputs().get(Signatures.HEAD_LOG_PROBS)[j];
            cache[n[0]++] = r.outputs().get(Signatures.CACHE_LOG_PROBS)[j];
          });
      for (double lambda : joint ? List.of(0.0) : lambdas) {
        Perplexity.Sum sum = new Perplexity.Sum(vocabulary, epsilon);
        for (int i = 0; i < n[0]; i++) {
          sum.add(joint ? head[i] : mixture(head[i], cache[i], lambda), Double.NaN);
        }
        Perplexity p = sum.result();
        grid.add(new Point(joint ? null : lambda, theta, p.perplexity(), p.smoothedPerplexity()));
      }
    }
    Point best = grid.get(0);
    for (Point p : grid) {
      best = score(p, sparse) < score(best, sparse) ? p : best;
    }
    return new CacheTuning(List.copyOf(grid), best, joint);
  }

  private static double score(Point p, boolean sparse) {
    return sparse ? p.smoothedPerplexity() : p.perplexity();
  }

  /** log((1 - lambda) e^head + lambda e^cache), -inf when both are. */
  static double mixture(double head, double cache, double lambda) {
    double max = Math.max(head, cache);
    if (max == Double.NEGATIVE_INFINITY) {
      return max;
    }
    return max + Math.log((1 - lambda) * Math.exp(head - max) + lambda * Math.exp(cache - max));
  }

  /** The feeds of the mixture's inputs. */
  public static Map<String, Float> feeds(double lambda, double theta) {
    return Map.of(Signatures.CACHE_LAMBDA, (float) lambda, Signatures.CACHE_THETA, (float) theta);
  }
}
