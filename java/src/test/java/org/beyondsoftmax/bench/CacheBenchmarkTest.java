package org.beyondsoftmax.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code bench cache} on a tiny model: every variant's training and evaluation step is timed with
 * its ratio to the same step without a cache, and the state carried per row is 2 H for the LSTM
 * plus L (H + 1) for a cache (keys and words), whatever the text.
 */
class CacheBenchmarkTest {
  @Test
  void everyVariantIsTimedAgainstNoCacheAndCarriesAStateOfFixedSize() {
    int h = 4;
    int l = 3;
    CacheBenchmark.Report r = CacheBenchmark.run(new CacheBenchmark.Settings(20, h, 3, 2, l, "softmax", 0, 1, 7),
        new PrintWriter(new StringWriter()));
    assertEquals(List.of(), r.failed());
    assertEquals(8, r.results().size());
    for (BenchResult b : r.results()) {
      String kind = b.op().split(" ")[0];
      assertEquals(kind + " none", b.baseline());
      assertTrue(b.medianMs() > 0 && b.ratio() > 0, b.toString());
      if (b.op().endsWith(" none")) {
        assertEquals(1.0, b.ratio(), 0.0);
      }
    }
    for (CacheBenchmark.Memory m : r.memory()) {
      long expected = 2L * h + (m.variant().equals("none") ? 0 : (long) l * (h + 1));
      assertEquals(expected, m.floatsPerRow(), m.variant());
      assertEquals(expected * 4 * 2, m.bytesPerBatch(), m.variant());
    }
  }
}
