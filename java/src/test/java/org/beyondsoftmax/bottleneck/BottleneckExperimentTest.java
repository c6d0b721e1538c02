package org.beyondsoftmax.bottleneck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.beyondsoftmax.models.heads.HeadFactory;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.spec.Spec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.types.TFloat32;

/**
 * The experiment's sanity checks: seeded reproducibility, linear softmax reaching KL ~ 0 once
 * D &gt;= M - 1, the reported KL and mode match equal to independent computations from the exported
 * probabilities, and the bottleneck itself (rank of log Q &lt;= D + 2 for softmax only).
 */
class BottleneckExperimentTest {
  private static final List<Spec<HeadFactory>> HEADS = Heads.parseList(
      "softmax,plif:knots=2000,mos:components=2,sparsemax,entmax:alpha=1.3");

  private static BottleneckSettings settings(int n, int m, List<Integer> dims, double alpha,
      List<Spec<HeadFactory>> heads, int steps) {
    return new BottleneckSettings(n, List.of(m), dims, alpha, heads, steps, 11, 0.05,
        BottleneckSettings.DEFAULT_CONTEXT_INIT_STD, 64, 1e-4);
  }

  @Test
  void aSeedReproducesEveryNumberButTheTimes() {
    BottleneckSettings s = settings(60, 25, List.of(3), 0.1, HEADS, 40);
    List<BottleneckResult> a = BottleneckExperiment.run(s, ProgressListener.NONE).results();
    List<BottleneckResult> b = BottleneckExperiment.run(s, ProgressListener.NONE).results();
    assertEquals(HEADS.size(), a.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(withoutTime(a.get(i)).toString(), withoutTime(b.get(i)).toString(), a.get(i).head());
      assertEquals(a.get(i).kl(), b.get(i).kl(), 0.0, a.get(i).head() + ": bit-identical KL");
      assertEquals(a.get(i).finalLoss(), b.get(i).finalLoss(), 0.0, a.get(i).head());
    }
  }

  private static String withoutTime(BottleneckResult r) {
    return String.join("|", r.head(), "" + r.kl(), "" + r.modeMatch(), "" + r.logProbRank(),
        "" + r.finalLoss(), "" + r.params(), java.util.Arrays.toString(r.spectrum().logProb()),
        String.valueOf(r.plifSlopes()), String.valueOf(r.support()));
  }

  @Test
  void linearSoftmaxFitsEveryTargetOnceDReachesMMinusOne() {
    int m = 6;
    BottleneckSettings s = settings(30, m, List.of(m - 1, 1), 1.0, Heads.parseList("softmax"), 1500);
    List<BottleneckResult> r = BottleneckExperiment.run(s, ProgressListener.NONE).results();
    assertTrue(r.get(0).kl() < 1e-3, "D = M - 1: KL " + r.get(0).kl());
    assertEquals(100.0, r.get(0).modeMatch(), 0.0, "every mode matched");
    assertTrue(r.get(1).kl() > 0.05, "D = 1 cannot fit 30 distributions: KL " + r.get(1).kl());
  }

  @Test
  void reportedKlAndModeMatchEqualIndependentComputationsFromTheProbabilities() {
    BottleneckSettings s = settings(50, 20, List.of(4), 0.1, HEADS, 30);
    Problem problem = Problem.sample(s.contexts(), 20, s.alpha(), s.seed());
    List<BottleneckRun.Outcome> outcomes = BottleneckExperiment.outcomes(s, ProgressListener.NONE, true);
    for (BottleneckRun.Outcome o : outcomes) {
      BottleneckResult r = o.result();
      float[] q = o.probabilities().orElseThrow();
      double eps = r.smoothed() ? r.klSmoothing() : 0;
      double kl = 0;
      int matches = 0;
      for (int i = 0; i < s.contexts(); i++) {
        int mode = 0;
        for (int j = 0; j < 20; j++) {
          double p = problem.targets()[i * 20 + j];
          double qj = (1 - eps) * q[i * 20 + j] + eps / 20;
          if (p > 0) {
            kl += p * Math.log(p / qj);
          }
          mode = q[i * 20 + j] > q[i * 20 + mode] ? j : mode;
        }
        matches += mode == problem.mode(i) ? 1 : 0;
      }
      kl /= s.contexts();
      assertEquals(kl, r.kl(), 2e-4 * Math.max(1, kl), r.head() + ": KL from Q");
      assertEquals(100.0 * matches / s.contexts(), r.modeMatch(), 1e-9, r.head() + ": mode match from Q");
      assertEquals(r.head().startsWith("sparsemax") || r.head().startsWith("entmax"), r.smoothed(),
          r.head() + ": only sparse heads report a smoothed KL");
    }
  }

  @Test
  void onlyLinearSoftmaxIsBottlenecked() {
    BottleneckSettings s = settings(80, 40, List.of(3), 0.1, HEADS, 60);
    for (BottleneckResult r : BottleneckExperiment.run(s, ProgressListener.NONE).results()) {
      if (r.head().equals("softmax")) {
        assertTrue(r.logProbRank() <= 3 + 2, "softmax: rank <= D + 2, got " + r.logProbRank());
      } else {
        assertTrue(r.logProbRank() > 3 + 2, r.head() + ": rank > D + 2, got " + r.logProbRank());
      }
      assertEquals(r.head().startsWith("plif"), r.plifSlopes() != null, r.head() + ": slope stats");
      assertEquals(r.head().startsWith("plif"), r.function() != null, r.head() + ": learned function");
      if (r.smoothed()) {
        assertNotNull(r.support());
        assertTrue(r.support().min() >= 1 && r.support().max() <= 40, r.head() + ": support in [1, M]");
      } else {
        assertNull(r.support());
      }
      assertEquals(Math.min(3, 40), r.spectrum().classEmbeddings().length, "M x D embeddings: D values");
    }
  }

  /** The context embeddings H start normal(0, sigma^2) with the settings' sigma (0.1 by default). */
  @ParameterizedTest
  @ValueSource(doubles = {BottleneckSettings.DEFAULT_CONTEXT_INIT_STD, 1.0})
  void contextEmbeddingsStartNormalWithTheSettingsSigma(double sigma) {
    int n = 4000;
    int d = 5;
    BottleneckSettings s = new BottleneckSettings(n, List.of(3), List.of(d), 0.1,
        Heads.parseList("softmax"), 0, 11, 0.05, sigma, 64, 1e-4);
    Problem problem = Problem.sample(n, 3, s.alpha(), s.seed());
    try (Graph g = new Graph()) {
      BottleneckGraph run = BottleneckGraph.build(g, problem, s.heads().get(0), d, s, false);
      try (Session session = new Session(g)) {
        session.initialize();
        try (TFloat32 h = (TFloat32) session.runner().fetch(run.contexts()).run().get(0)) {
          float[] v = new float[n * d];
          h.asRawTensor().data().asFloats().read(v);
          double sum = 0;
          double squares = 0;
          double fourth = 0;
          for (float x : v) {
            sum += x;
            squares += (double) x * x;
            fourth += Math.pow(x / sigma, 4);
          }
          int size = v.length;
          // standard errors for 20,000 draws: mean sigma/141, std about sigma/200
          assertEquals(0, sum / size, 5 * sigma / Math.sqrt(size), "mean 0");
          assertEquals(sigma, Math.sqrt(squares / size), 0.02 * sigma, "std sigma");
          assertEquals(3, fourth / size, 0.15, "normal: kurtosis 3 (uniform would give 1.8)");
        }
      }
    }
  }

  @Test
  void aContextInitOutsideItsRangeIsRefusedByName() {
    for (double bad : new double[] {0, -0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new BottleneckSettings(10, List.of(3), List.of(2), 0.1, HEADS, 1, 1, 0.05, bad, 8, 1e-4));
      assertTrue(e.getMessage().contains("context init std"), e.getMessage());
    }
  }

  /**
   * Why contexts start near the origin: from normal(0, 1) the mixture's tanh contexts saturate
   * along random directions early and stay there, and MoS ends clearly worse; softmax does not
   * care. (N = 200, M = 50, D = 3, 300 steps: MoS 1.180 from normal(0, 1), 1.056 from
   * normal(0, 0.1^2); softmax within 1 %.)
   */
  @Test
  void mixtureOfSoftmaxesFitsBetterFromContextsNearTheOrigin() {
    List<Spec<HeadFactory>> heads = Heads.parseList("mos:components=3,softmax");
    double[][] kl = new double[2][];
    double[] sigmas = {1.0, BottleneckSettings.DEFAULT_CONTEXT_INIT_STD};
    for (int i = 0; i < 2; i++) {
      BottleneckSettings s = new BottleneckSettings(200, List.of(50), List.of(3), 0.1, heads, 300, 11,
          0.05, sigmas[i], 64, 1e-4);
      kl[i] = BottleneckExperiment.run(s, ProgressListener.NONE).results().stream()
          .mapToDouble(BottleneckResult::kl).toArray();
    }
    assertTrue(kl[1][0] < 0.95 * kl[0][0], "MoS: KL from sigma 0.1 " + kl[1][0] + ", from 1 " + kl[0][0]);
    assertEquals(kl[0][1], kl[1][1], 0.01 * kl[0][1], "softmax: KL about the same from either start");
  }
}
