package org.beyondsoftmax.models.lm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.ops.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Train -&gt; export -&gt; load in a new JVM -&gt; train_step more -&gt; export -&gt; load again: the
 * losses continue (the other process's steps give the losses this process gets for the same steps
 * from the same SavedModel, and its first step the loss the training session would have had next)
 * and the re-exported model's outputs are this process's outputs after those steps.
 */
class SavedModelRoundTripTest {
  static final int MORE = 6;

  static TbpttBatches batches() {
    return new TbpttBatches(LanguageModelTest.stream(300, 7), LanguageModelTest.BATCH, LanguageModelTest.STEPS);
  }

  @Test
  void trainExportLoadInANewProcessTrainExportLoad(@TempDir Path dir) throws Exception {
    TbpttBatches batches = batches();
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    double sessionNext;
    try (LanguageModelSession s = LanguageModelTest.session("plif:knots=50", Optimizer.Kind.ADAM, 0.03)) {
      LanguageModelTest.train(s, batches, 3, 30, new float[][][] {null});
      s.export(first);
      sessionNext = s.train(batches.get(0), null).loss();
    }
    // this process: the same steps from the same SavedModel
    double[] here = new double[MORE];
    TbpttBatches.Batch probe = batches.get(5);
    float[] logp;
    SavedLanguageModel.Next next;
    try (SavedLanguageModel m = SavedLanguageModel.load(first)) {
      float[] before = m.logProbs(probe.batch(), probe.steps(), probe.ids(), probe.targets());
      for (int i = 0; i < MORE; i++) {
        TbpttBatches.Batch b = batches.get(i % batches.size());
        here[i] = m.trainStep(b.batch(), b.steps(), b.ids(), b.targets());
      }
      logp = m.logProbs(probe.batch(), probe.steps(), probe.ids(), probe.targets());
      next = m.next(probe.batch(), probe.steps(), probe.ids());
      assertTrue(!java.util.Arrays.equals(before, logp), "train_step changed the model");
    }
    assertEquals(sessionNext, here[0], 1e-5, "the SavedModel's first train_step is the session's next step");
    double[] there = child(first, second);
    assertArrayEquals(here, there, 1e-5, "the new process continues training with the same losses");
    try (SavedLanguageModel m = SavedLanguageModel.load(second)) {
      assertArrayEquals(logp, m.logProbs(probe.batch(), probe.steps(), probe.ids(), probe.targets()), 1e-5f,
          "log_prob of the re-exported model");
      SavedLanguageModel.Next again = m.next(probe.batch(), probe.steps(), probe.ids());
      assertArrayEquals(next.ids(), again.ids(), "serving: the same top words");
      assertArrayEquals(next.probabilities(), again.probabilities(), 1e-5f, "serving: the same probabilities");
    }
  }

  private static double[] child(Path from, Path to) throws IOException, InterruptedException {
    Process p = ChildJvm.of(RoundTripChild.class.getName(), from.toString(), to.toString(), String.valueOf(MORE))
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child process finished");
    assertEquals(0, p.exitValue(), "the child process failed:\n" + out);
    List<Double> losses = new ArrayList<>();
    out.lines().filter(l -> l.startsWith("loss ")).forEach(l -> losses.add(Double.parseDouble(l.substring(5))));
    assertEquals(MORE, losses.size(), out);
    return losses.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
