package org.beyondsoftmax.train;

import org.beyondsoftmax.models.lm.LanguageModelSession;
import org.beyondsoftmax.models.lm.TbpttBatches;

/**
 * The perplexity of a language model on a token stream: exp(-(1/N) sum_i log p(w_i | w_&lt;i)) over
 * the N = n - 1 next-word predictions of the stream, read as in training (B columns, T tokens
 * at a time, the LSTM state carried from batch to batch, no dropout; a Transformer reads each
 * window of T on its own).
 *
 * <p>Sparse heads give some words probability 0, so their perplexity is infinite as soon as one
 * test word is outside the support; beside it this reports the mean support size and the
 * epsilon-smoothed perplexity, p' = (p + eps) / (1 + eps V) (as in Martins et al. 2020, "Sparse
 * Text Generation").
 *
 * @param tokens N, the predictions scored
 * @param nll the sum of -log p (infinite if some p = 0)
 * @param zeros the predictions with p = 0 (sparse heads)
 * @param meanSupport the mean number of words with p &gt; 0 (NaN for full-support heads)
 * @param epsilon the smoothing constant of {@link #smoothedPerplexity}
 * @param smoothedNll the sum of -log p'
 */
public record Perplexity(long tokens, double nll, long zeros, double meanSupport, double epsilon,
    double smoothedNll) {

  /** The epsilon of the smoothed perplexity, unless told otherwise (training and eval). */
  public static final double DEFAULT_EPSILON = 1e-6;

  /** Computes a batch's log-probabilities from the state before it (the model under test). */
  @FunctionalInterface
  public interface Evaluator {
    LanguageModelSession.EvalResult evaluate(TbpttBatches.Batch batch, float[][] state);
  }

  /** Something to tell after each batch (a progress bar). */
  @FunctionalInterface
  public interface Progress {
    void batchDone(int done, int batches);
  }

  public double perplexity() {
    return Math.exp(nll / tokens);
  }

  public double smoothedPerplexity() {
    return Math.exp(smoothedNll / tokens);
  }

  /**
   * Scores {@code stream} with {@code model}.
   *
   * @param vocabulary V, for the smoothing
   */
  public static Perplexity of(Evaluator model, int[] stream, int batch, int steps, int vocabulary,
      double epsilon, Progress progress) {
    TbpttBatches batches = new TbpttBatches(stream, batch, steps);
    float[][] state = null;
    double nll = 0;
    double smoothed = 0;
    double support = 0;
    long n = 0;
    long zeros = 0;
    boolean sparse = false;
    double norm = Math.log1p(epsilon * vocabulary);
    for (int i = 0; i < batches.size(); i++) {
      TbpttBatches.Batch b = batches.get(i);
      LanguageModelSession.EvalResult r = model.evaluate(b, state);
      state = r.state();
      sparse = r.support() != null;
      for (int j = 0; j < b.weights().length; j++) {
        if (b.weights()[j] == 0) {
          continue;
        }
        double lp = r.logProbs()[j];
        n++;
        nll -= lp;
        if (lp == Double.NEGATIVE_INFINITY) {
          zeros++;
        }
        smoothed -= Math.log(Math.exp(lp) + epsilon) - norm;
        if (sparse) {
          support += r.support()[j];
        }
      }
      if (progress != null) {
        progress.batchDone(i + 1, batches.size());
      }
    }
    return new Perplexity(n, nll, zeros, sparse ? support / n : Double.NaN, epsilon, smoothed);
  }
}
