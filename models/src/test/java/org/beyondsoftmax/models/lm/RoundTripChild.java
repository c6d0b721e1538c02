package org.beyondsoftmax.models.lm;

import java.nio.file.Path;

/**
 * The other process of {@link SavedModelRoundTripTest}: loads the SavedModel {@code args[0]},
 * runs {@code args[2]} train_steps on the test's batches, prints each loss, exports to
 * {@code args[1]}. Uses only the SavedModel (no model-building code).
 */
public final class RoundTripChild {
  private RoundTripChild() {}

  public static void main(String[] args) throws Exception {
    TbpttBatches batches = SavedModelRoundTripTest.batches();
    try (SavedLanguageModel m = SavedLanguageModel.load(Path.of(args[0]))) {
      for (int i = 0; i < Integer.parseInt(args[2]); i++) {
        TbpttBatches.Batch b = batches.get(i % batches.size());
        System.out.println("loss " + m.trainStep(b.batch(), b.steps(), b.ids(), b.targets()));
      }
      m.export(Path.of(args[1]));
    }
  }
}
