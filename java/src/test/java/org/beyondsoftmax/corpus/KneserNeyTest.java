package org.beyondsoftmax.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Kneser-Ney trigram: proper distributions at every order, discounts, the real corpus. */
class KneserNeyTest {
  @Test
  void everyOrderSumsToOneOverTheVocabulary() {
    int v = 30;
    int[] train = new int[3000];
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < train.length; i++) {
      // some structure: the next word depends on the last one, with noise; word 29 never occurs
      train[i] = i == 0 ? 0 : r.nextDouble() < 0.7 ? (train[i - 1] * 7 + 3) % 29 : r.nextInt(29);
    }
    KneserNey kn = new KneserNey(train, v);
    double uni = 0;
    for (int w = 0; w < v; w++) {
      uni += kn.unigram(w);
    }
    assertEquals(1.0, uni, 1e-12, "p(w)");
    assertTrue(kn.unigram(29) > 0, "an unseen word keeps some mass");
    for (int[] ctx : new int[][] {{3, 24}, {train[10], train[11]}, {29, 29}, {5, 29}}) {
      double bi = 0;
      double tri = 0;
      for (int w = 0; w < v; w++) {
        bi += kn.bigram(ctx[1], w);
        tri += kn.trigram(ctx[0], ctx[1], w);
      }
      assertEquals(1.0, bi, 1e-12, "p(w | " + ctx[1] + ")");
      assertEquals(1.0, tri, 1e-12, "p(w | " + ctx[0] + " " + ctx[1] + ")");
    }
    double[][] d = kn.discounts();
    for (double[] order : d) {
      for (int k = 0; k < 3; k++) {
        assertTrue(order[k] > 0 && order[k] <= k + 1, "0 < D_k <= k: " + java.util.Arrays.toString(order));
      }
    }
    assertTrue(kn.perplexity(train) < 29, "better than uniform on its own training data");
  }

  /** The number beside the README's table, when a previous run cached the corpus. */
  @Test
  void onBrownItLandsNearTheIssuesMeasurement() throws IOException {
    Path tarball = Corpora.defaultCacheDir().resolve(BrownCorpus.TARBALL);
    if (!Files.isRegularFile(tarball)) {
      System.out.println("KneserNeyTest: skipping Brown: " + tarball + " is absent");
      org.junit.jupiter.api.Assumptions.abort("no cached " + tarball);
    }
    Corpus c = BrownCorpus.load(tarball, BrownCorpus.Protocol.BENGIO_2003);
    KneserNey kn = new KneserNey(c.train(), c.vocabulary().size());
    double test = kn.perplexity(c.test());
    double valid = kn.perplexity(c.valid());
    System.out.printf("KneserNeyTest: Brown, |V| = %d: interpolated modified Kneser-Ney trigram perplexity "
        + "valid %.2f, test %.2f%n", c.vocabulary().size(), valid, test);
    assertEquals(201, test, 15, "the issue measured about 201");
  }
}
