package org.beyondsoftmax.models.lm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Runs a language model's graph over one batch by the names of {@link Signatures}: the same for a
 * graph built by {@link LanguageModelGraph} and for one loaded from its SavedModel, so training
 * and evaluation feed and fetch it in one way. Every tensor made here is closed here.
 */
public final class BatchRuns {
  private BatchRuns() {}

  /** One training step: the mean loss, the gradient norm and the state after the batch. */
  static LanguageModelSession.StepResult train(
      Session session, TbpttBatches.Batch batch, float[][] state, int stateTensors) {
    return train(session, batch, state, stateTensors, null);
  }

  /**
   * One training step as {@link #train(Session, TbpttBatches.Batch, float[][], int)}; with
   * {@code trace} not null, traced by TensorFlow (FULL_TRACE: every node's start and end) and the
   * trace handed to it.
   */
  static LanguageModelSession.StepResult train(Session session, TbpttBatches.Batch batch, float[][] state,
      int stateTensors, Consumer<RunMetadata> trace) {
    List<Tensor> feeds = new ArrayList<>();
    try {
      Session.Runner r = feed(session.runner(), batch, state, stateTensors, feeds);
      r.fetch(Signatures.TRAIN_LOSS).fetch(Signatures.GRADIENT_NORM);
      for (int k = 0; k < stateTensors; k++) {
        r.fetch(Signatures.trainState(k));
      }
      if (trace != null) {
        r.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
      }
      try (Result out = trace == null ? r.run() : r.runAndFetchMetadata()) {
        if (trace != null) {
          out.getMetadata().ifPresent(trace);
        }
        return new LanguageModelSession.StepResult(((TFloat32) out.get(0)).getFloat(),
            ((TFloat32) out.get(1)).getFloat(), states(out, 2, stateTensors));
      }
    } finally {
      feeds.forEach(Tensor::close);
    }
  }

  /** The inference pass: log p(target), the support sizes (sparse heads) and the state after. */
  public static LanguageModelSession.EvalResult evaluate(
      Session session, TbpttBatches.Batch batch, float[][] state, int stateTensors, boolean sparse) {
    return evaluate(session, batch, state, stateTensors, sparse, Map.of(), List.of());
  }

  /**
   * The inference pass with float32 scalars fed by name and per-position outputs fetched by name
   * (float32 or int32, returned as float).
   */
  static LanguageModelSession.EvalResult evaluate(Session session, TbpttBatches.Batch batch, float[][] state,
      int stateTensors, boolean sparse, Map<String, Float> scalars, List<String> outputs) {
    List<Tensor> feeds = new ArrayList<>();
    try {
      Session.Runner r = feed(session.runner(), batch, state, stateTensors, feeds);
      scalars.forEach((name, value) -> {
        Tensor v = TFloat32.scalarOf(value);
        feeds.add(v);
        r.feed(name, v);
      });
      r.fetch(Signatures.LOG_PROBS);
      if (sparse) {
        r.fetch(Signatures.SUPPORT);
      }
      for (int k = 0; k < stateTensors; k++) {
        r.fetch(Signatures.evalState(k));
      }
      outputs.forEach(r::fetch);
      try (Result out = r.run()) {
        int first = sparse ? 2 : 1;
        Map<String, float[]> extra = new LinkedHashMap<>();
        for (int i = 0; i < outputs.size(); i++) {
          extra.put(outputs.get(i), floats(out.get(first + stateTensors + i)));
        }
        return new LanguageModelSession.EvalResult(floats(out.get(0)), sparse ? floats(out.get(1)) : null,
            states(out, first, stateTensors), extra);
      }
    } finally {
      feeds.forEach(Tensor::close);
    }
  }

  private static Session.Runner feed(Session.Runner r, TbpttBatches.Batch b, float[][] state, int stateTensors,
      List<Tensor> feeds) {
    Shape shape = Shape.of(b.batch(), b.steps());
    Tensor i = TInt32.tensorOf(shape, DataBuffers.of(b.ids(), true, false));
    feeds.add(i);
    Tensor t = TInt32.tensorOf(shape, DataBuffers.of(b.targets(), true, false));
    feeds.add(t);
    Tensor w = TFloat32.tensorOf(shape, DataBuffers.of(b.weights(), true, false));
    feeds.add(w);
    r.feed(Signatures.IDS, i).feed(Signatures.TARGETS, t).feed(Signatures.WEIGHTS, w);
    if (state != null) {
      if (state.length != stateTensors) {
        throw new IllegalArgumentException("state must hold " + stateTensors + " arrays, got " + state.length);
      }
      for (int k = 0; k < stateTensors; k++) {
        Tensor x = TFloat32.tensorOf(Shape.of(b.batch(), state[k].length / b.batch()),
            DataBuffers.of(state[k], true, false));
        feeds.add(x);
        r.feed(Signatures.stateIn(k), x);
      }
    }
    return r;
  }

  private static float[][] states(Result out, int first, int count) {
    float[][] s = new float[count][];
    for (int k = 0; k < count; k++) {
      s[k] = floats(out.get(first + k));
    }
    return s;
  }

  /** The values of a float32 tensor, row-major; an int32 tensor's as floats. */
  static float[] floats(Tensor t) {
    float[] a = new float[(int) t.shape().size()];
    if (t instanceof TInt32 ints) {
      int[] i = new int[a.length];
      ints.copyTo(DataBuffers.of(i, false, false));
      for (int k = 0; k < a.length; k++) {
        a[k] = i[k];
      }
      return a;
    }
    ((TFloat32) t).copyTo(DataBuffers.of(a, false, false));
    return a;
  }
}
