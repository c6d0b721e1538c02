package org.beyondsoftmax.models.lm;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A language model loaded from a SavedModel exported by {@link LanguageModelSession#export} (or
 * any SavedModel with its signatures): nothing of the model's Java code is needed, only the
 * signatures {@value Signatures#SERVING}, {@value Signatures#LOG_PROB} and
 * {@value Signatures#TRAIN_STEP}. Training continues with {@link #trainStep}, and
 * {@link #export} writes the graph with the trained variables to a new SavedModel.
 */
public final class SavedLanguageModel implements AutoCloseable {
  /** The k most probable next words per row: ids [B, k] and their probabilities, row-major. */
  public record Next(int batch, int k, int[] ids, float[] probabilities) {}

  private final SavedModelBundle bundle;

  private SavedLanguageModel(SavedModelBundle bundle) {
    this.bundle = bundle;
  }

  /** Loads the {@code serve} graph of {@code dir}. */
  public static SavedLanguageModel load(Path dir) {
    return new SavedLanguageModel(SavedModelBundle.load(dir.toString(), SavedModelBundle.DEFAULT_TAG));
  }

  public SavedModelBundle bundle() {
    return bundle;
  }

  /**
   * One update on ids and targets [batch, steps] (row-major), from a zero state.
   *
   * @return the batch's mean training loss (before the update)
   */
  public double trainStep(int batch, int steps, int[] ids, int[] targets) {
    try (Result r = call(Signatures.TRAIN_STEP, batch, steps, ids, targets)) {
      return ((TFloat32) r.get(Signatures.LOSS).orElseThrow()).getFloat();
    }
  }

  /** log p(targets | ids so far) [batch * steps], row-major, from a zero state. */
  public float[] logProbs(int batch, int steps, int[] ids, int[] targets) {
    try (Result r = call(Signatures.LOG_PROB, batch, steps, ids, targets)) {
      return BatchRuns.floats(r.get(Signatures.LOG_PROBS).orElseThrow());
    }
  }

  /** The most probable next words after each row of ids [batch, steps]. */
  public Next next(int batch, int steps, int[] ids) {
    try (Result r = call(Signatures.SERVING, batch, steps, ids, null)) {
      Tensor top = r.get(Signatures.TOP_IDS).orElseThrow();
      int k = (int) top.shape().get(1);
      int[] topIds = new int[batch * k];
      ((TInt32) top).copyTo(DataBuffers.of(topIds, false, false));
      return new Next(batch, k, topIds,
          BatchRuns.floats(r.get(Signatures.TOP_PROBABILITIES).orElseThrow()));
    }
  }

  private Result call(String signature, int batch, int steps, int[] ids, int[] targets) {
    if (ids.length != batch * steps || (targets != null && targets.length != ids.length)) {
      throw new IllegalArgumentException("ids and targets must hold batch * steps = " + batch * steps
          + " ids, got " + ids.length + (targets == null ? "" : " and " + targets.length));
    }
    SessionFunction f = bundle.function(signature);
    Map<String, Tensor> in = new LinkedHashMap<>();
    try (TInt32 i = TInt32.tensorOf(Shape.of(batch, steps), DataBuffers.of(ids, true, false));
        TInt32 t = targets == null ? null : TInt32.tensorOf(Shape.of(batch, steps), DataBuffers.of(targets, true, false))) {
      in.put(Signatures.IDS, i);
      if (t != null) {
        in.put(Signatures.TARGETS, t);
      }
      return f.call(in);
    }
  }

  /**
   * The inference pass over {@code batch} from {@code state} (null: zeros), through the graph's
   * named tensors rather than a signature, so that the state can be carried from batch to batch
   * as in training: needs a SavedModel of {@link LanguageModelSession}. A graph without
   * {@code state_in_0} (the Transformer's) has no state: each batch is read on its own, and the
   * result's state is empty.
   */
  public LanguageModelSession.EvalResult evaluate(TbpttBatches.Batch batch, float[][] state) {
    var graph = bundle.graph();
    if (graph.operation(Signatures.LOG_PROBS) == null || graph.operation(Signatures.WEIGHTS) == null) {
      throw new IllegalStateException("not a SavedModel of LanguageModelSession: no " + Signatures.LOG_PROBS
          + " or " + Signatures.WEIGHTS + " in its graph");
    }
    int stateTensors = 0;
    while (graph.operation(Signatures.stateIn(stateTensors)) != null) {
      stateTensors++;
    }
    boolean sparse = graph.operation(Signatures.SUPPORT) != null;
    return BatchRuns.evaluate(bundle.session(), batch, stateTensors == 0 ? null : state, stateTensors, sparse);
  }

  /** Writes the loaded graph, its signatures and the current variables to a new SavedModel. */
  public void export(Path dir) throws IOException {
    SavedModelBundle.Exporter e = SavedModelBundle.exporter(dir.toString()).withSession(bundle.session());
    bundle.functions().forEach(e::withFunction);
    e.export();
  }

  @Override
  public void close() {
    bundle.close();
  }
}
