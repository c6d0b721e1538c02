package org.beyondsoftmax.bench;

import java.util.ArrayList;
import java.util.List;
import org.beyondsoftmax.models.lm.LanguageModel;
import org.beyondsoftmax.models.lm.LanguageModelGraph;
import org.beyondsoftmax.models.lm.LanguageModelSession;
import org.beyondsoftmax.models.lm.TbpttBatches;
import org.tensorflow.proto.RunMetadata;

/**
 * One training step of a language model (forward, backward and the optimizer's update, as
 * {@code beyond train} runs it: {@link LanguageModelSession#train} with the state carried), timed
 * as a whole {@code Session.run}. Steps walk through a fixed list of batches of real text, so
 * sparse heads see the supports that real logits give.
 */
public final class LanguageModelStep implements TimedStep, AutoCloseable {
  private final String name;
  private final String setting;
  private final LanguageModelSession session;
  private final List<TbpttBatches.Batch> batches;
  private float[][] carried;
  private int next;

  /**
   * @param batches the batches to cycle through (at least one)
   */
  public LanguageModelStep(String name, LanguageModel.Config config, LanguageModelGraph.Training training,
      int steps, List<TbpttBatches.Batch> batches) {
    if (batches.isEmpty()) {
      throw new IllegalArgumentException("batches must not be empty");
    }
    this.name = name;
    this.batches = List.copyOf(batches);
    this.setting = String.format("V=%d E=%d H=%d L=%d T=%d B=%d", config.vocabulary(), config.embed(),
        config.hidden(), config.layers(), steps, batches.get(0).batch());
    this.session = new LanguageModelSession(config, training, steps, 1);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String setting() {
    return setting;
  }

  @Override
  public double timeStepMillis() {
    TbpttBatches.Batch b = batches.get(next);
    long start = System.nanoTime();
    LanguageModelSession.StepResult r = session.train(b, carried);
    long end = System.nanoTime();
    advance(r);
    return (end - start) / 1e6;
  }

  /**
   * Where a step's time goes: {@code steps} more steps (continuing the batches and state of the
   * timed ones), traced by TensorFlow, as a {@link StepProfile} of the {@code top} op types and nodes.
   */
  public StepProfile profile(int steps, int top) {
    List<RunMetadata> traces = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      TbpttBatches.Batch b = batches.get(next);
      advance(session.traceTrain(b, carried, traces::add));
    }
    return StepProfile.of(session.graph(), traces, top);
  }

  /** On to the next batch, with the state after this one (none when the batches start again). */
  private void advance(LanguageModelSession.StepResult r) {
    next = (next + 1) % batches.size();
    carried = next == 0 ? null : r.state();
  }

  @Override
  public void close() {
    session.close();
  }
}
