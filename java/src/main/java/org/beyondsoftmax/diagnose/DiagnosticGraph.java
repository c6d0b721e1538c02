package org.beyondsoftmax.diagnose;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.beyondsoftmax.models.attention.Transformer;
import org.beyondsoftmax.models.heads.OutputHead;
import org.beyondsoftmax.models.lm.LanguageModel;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * The graph {@code beyond diagnose} runs: a trained {@link LanguageModel}'s inference pass over
 * windows {@code ids} [B, T] (int32, every position a real token, no dropout; the LSTM from a zero
 * state), with what diagnostics need as outputs. Built into a {@link Graph}, nothing run; the
 * variables have the names of {@link org.beyondsoftmax.models.lm.LanguageModelGraph}'s, so a
 * checkpoint or SavedModel's {@code variables/variables} restores them.
 *
 * <ul>
 *   <li>{@link #hidden}: the last hidden states h [T B, d] that the head reads (time-major rows);
 *   <li>{@link #logProbabilities}: log p [T B, V] of those rows; for a sparse head the
 *       eps-smoothed log((1 - eps) p + eps / V), as log 0 = -inf has no singular values;
 *   <li>{@link #attention}: per Transformer block the weights [B, H, T, T] (query, key);
 *   <li>{@link #perHead}: per block the normaliser's per-head values by name ([H]: alpha of entmax,
 *       s of scalable softmax);
 *   <li>{@link #classEmbeddings}: the head's class-embedding matrix [V, d], if it has one.
 * </ul>
 */
public final class DiagnosticGraph {
  /** eps of the smoothed log-probabilities of sparse heads (as the bottleneck experiment's KL). */
  public static final double SPARSE_SMOOTHING = 1e-4;

  final LanguageModel<TFloat32> model;
  final Placeholder<TInt32> ids;
  final Operand<TFloat32> hidden;
  final Operand<TFloat32> logProbabilities;
  final List<Operand<TFloat32>> attention;
  final List<Map<String, Operand<TFloat32>>> perHead = new ArrayList<>();
  final Optional<Operand<TFloat32>> classEmbeddings;
  final int steps;

  /**
   * @param steps T, the window (at most the Transformer's positions)
   */
  public DiagnosticGraph(Graph graph, LanguageModel.Config config, int steps) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    this.steps = steps;
    Ops tf = Ops.create(graph);
    model = new LanguageModel<>(tf, TFloat32.class, config);
    ids = tf.withName("ids").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, steps)));
    Ops d = tf.withSubScope("diagnose");
    Operand<TInt32> batch = d.squeeze(d.slice(d.shape(ids), d.constant(new int[] {0}), d.constant(new int[] {1})));
    LanguageModel.Forward<TFloat32> forward = model.forward(d, ids, null, model.zeroState(d, batch), null);
    hidden = forward.hidden();
    attention = forward.attention();
    OutputHead<TFloat32> head = model.head();
    if (head.isSparse()) {
      float keep = (float) (1 - SPARSE_SMOOTHING);
      float floor = (float) (SPARSE_SMOOTHING / config.vocabulary());
      logProbabilities = d.math.log(d.math.add(d.math.mul(head.probabilities(hidden), d.constant(keep)),
          d.constant(floor)));
    } else {
      logProbabilities = head.logProbabilities(hidden);
    }
    Optional<Transformer<TFloat32>> transformer = model.transformer();
    for (int l = 0; l < attention.size(); l++) {
      perHead.add(new LinkedHashMap<>(transformer.orElseThrow().attention(l).normaliser().perHead(d)));
    }
    classEmbeddings = head.classEmbeddings();
  }

  /** T, the window. */
  public int steps() {
    return steps;
  }

  /** The attention layers (Transformer blocks; 0 for the LSTM). */
  public int layers() {
    return attention.size();
  }

  public LanguageModel<TFloat32> model() {
    return model;
  }
}
