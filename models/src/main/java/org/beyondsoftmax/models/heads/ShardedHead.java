package org.beyondsoftmax.models.heads;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.beyondsoftmax.models.nn.ClassPartition;
import org.beyondsoftmax.models.nn.PartitionedVariable;
import org.beyondsoftmax.models.nn.PlifSettings;
import org.beyondsoftmax.models.spec.Kind;
import org.beyondsoftmax.models.spec.Spec;
import org.beyondsoftmax.ops.ShardedSoftmax;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TIntegral;

/**
 * A head whose class embeddings and biases are partitioned by class range over devices (parameter
 * servers), computing exactly what its one-process twin ({@link Heads#create}) computes: the
 * variables carry the twin's names ({@code softmax/class_weights}, split into
 * {@code softmax/class_weights/part_p}), so values move between the two by name. Each shard
 * reduces its [N, V_p] logits to per-example log-sum-exps on its own device
 * ({@link ShardedSoftmax}); only vectors of N (or N K) numbers and the inputs h cross.
 *
 * <ul>
 *   <li>{@code softmax} (tied or not), {@code sigsoftmax}, {@code plif}: one shard of the
 *       head's scores per device, combined by a sharded log-sum-exp; PLIF's slope table [K] is
 *       kept whole on the first device and read by every shard;
 *   <li>{@code mos}, {@code mos-sigsoftmax}, {@code mos-plif}: the K component contexts and the
 *       prior are computed beside h (their small weights kept whole); the shards take the N K
 *       context rows, and the mixture is combined per example
 *       ({@link ShardedSoftmax#mixtureLogProbability}).
 * </ul>
 *
 * The other heads are refused ({@link #check}): the sparse ones need one threshold over all
 * classes at once, and the rest have no sharded form here.
 */
public final class ShardedHead {
  private static final List<Kind<HeadFactory>> SINGLE = List.of(SoftmaxHead.KIND, SigsoftmaxHead.KIND, PlifHead.KIND);
  private static final List<Kind<HeadFactory>> MIXTURES = List.of(MixtureOfSoftmaxesHead.MOS,
      MixtureOfSoftmaxesHead.MOS_SIGSOFTMAX, MixtureOfSoftmaxesHead.MOS_PLIF);

  private final Spec<HeadFactory> spec;
  private final ClassPartition partition;
  private final List<PartitionedVariable> variables = new ArrayList<>();
  private final List<Operand<TFloat32>> weights = new ArrayList<>();
  private final List<Operand<TFloat32>> biases = new ArrayList<>();
  private final List<Operand<TFloat32>> slopes = new ArrayList<>();
  private final Operand<TFloat32> projection;
  private final Operand<TFloat32> prior;
  private final int components;
  private final int hidden;
  private final Ops scope;

  /**
   * Creates the head's variables in the scope {@code spec.name()} of {@code tf}.
   *
   * @param hidden d, the size of h
   * @param partition the classes and the device of each shard
   * @param whole where the variables that are not split go (PLIF's slopes, MoS's projections)
   * @param tiedEmbedding the partitioned input embedding [V, d], for {@code tied=true}
   * @throws IllegalArgumentException naming the head when it cannot be sharded
   */
  public ShardedHead(Ops tf, Spec<HeadFactory> spec, int hidden, ClassPartition partition, DeviceSpec whole,
      Optional<PartitionedVariable> tiedEmbedding) {
    check(spec);
    this.spec = spec;
    this.partition = partition;
    this.hidden = hidden;
    Ops s = tf.withSubScope(spec.name());
    this.scope = s;
    boolean mixture = MIXTURES.contains(spec.kind());
    this.components = mixture ? spec.get(MixtureOfSoftmaxesHead.COMPONENTS) : 0;
    if (mixture) {
      projection = read(whole(s, whole, "projection_weights", Shape.of((long) components * hidden, hidden), 1.0), 0);
      prior = read(whole(s, whole, "prior_weights", Shape.of(components, hidden), 1.0), 0);
    } else {
      projection = null;
      prior = null;
    }
    boolean tied = spec.kind() == SoftmaxHead.KIND && spec.get(SoftmaxHead.TIED);
    PartitionedVariable w;
    if (tied) {
      w = tiedEmbedding.orElseThrow(() -> new IllegalArgumentException("head '" + spec
          + "': tied=true needs the input embedding [classes, hiddenSize] (embed = hidden)"));
    } else {
      w = add(PartitionedVariable.byRows(s, "class_weights", Shape.of(partition.classes(), hidden), 1.0, partition));
    }
    PartitionedVariable b = spec.get(HeadOptions.BIAS)
        ? add(PartitionedVariable.byRows(s, "class_bias", Shape.of(partition.classes()), 1.0, partition)) : null;
    PartitionedVariable v = null;
    if (spec.kind() == PlifHead.KIND || spec.kind() == MixtureOfSoftmaxesHead.MOS_PLIF) {
      PlifSettings plif = HeadOptions.plif(spec);
      v = whole(s, whole, "plif_slopes_raw", Shape.of(plif.knots()), plif.slopeLearningRate());
    }
    for (int p = 0; p < partition.shards(); p++) {
      weights.add(read(w, p));
      biases.add(b == null ? null : read(b, p));
      slopes.add(v == null ? null : read(v, 0));
    }
  }

  /**
   * Whether {@code spec} can be sharded.
   *
   * @throws IllegalArgumentException "head 'entmax' cannot be sharded over parameter servers: ..."
   */
  public static void check(Spec<HeadFactory> spec) {
    if (SINGLE.contains(spec.kind()) || MIXTURES.contains(spec.kind())) {
      return;
    }
    String why = spec.kind() == SparsemaxHead.KIND || spec.kind() == EntmaxHead.KIND || spec.kind() == TopKSoftmaxHead.KIND
        ? "its probabilities need one threshold over all classes at once, which shards cannot reduce exactly"
        : "it has no sharded form here";
    throw new IllegalArgumentException("head '" + spec + "' cannot be sharded over parameter servers: " + why
        + "; the heads that can: " + String.join(", ", names()));
  }

  private static List<String> names() {
    List<String> n = new ArrayList<>();
    SINGLE.forEach(k -> n.add(k.name()));
    MIXTURES.forEach(k -> n.add(k.name()));
    return n;
  }

  /** The head's variables, as the one-process head names them (a tied embedding is not listed). */
  public List<PartitionedVariable> variables() {
    return List.copyOf(variables);
  }

  /**
   * log p(label | h) [N] for h [N, d] (built with {@code tf}, the device of h) and labels [N]:
   * minus the cross-entropy for the single heads, the mixture's log-probability for MoS.
   */
  public Operand<TFloat32> logProbability(Ops tf, Operand<TFloat32> h, Operand<? extends TIntegral> labels) {
    Ops s = tf.withSubScope(spec.name() + "_logProbability");
    if (components == 0) {
      return s.math.neg(ShardedSoftmax.crossEntropy(s, shards(s, h, labels)));
    }
    Operand<TFloat32> contexts = s.reshape(s.math.tanh(s.linalg.matMul(h, projection, MatMul.transposeB(true))),
        s.constant(new long[] {-1, hidden}));
    Operand<TInt32> ids = s.dtypes.cast(labels, TInt32.class);
    Operand<TInt32> repeated = s.reshape(s.tile(s.expandDims(ids, s.constant(1)), s.constant(new int[] {1, components})),
        s.constant(new int[] {-1}));
    Operand<TFloat32> priorLogits = s.linalg.matMul(h, prior, MatMul.transposeB(true));
    return ShardedSoftmax.mixtureLogProbability(s, shards(s, contexts, repeated), priorLogits);
  }

  /** The shards of the head's scores over the rows of h, each built on its device. */
  private List<ShardedSoftmax.Shard<TFloat32>> shards(Ops s, Operand<TFloat32> h, Operand<? extends TIntegral> labels) {
    Kind<HeadFactory> k = spec.kind();
    List<ShardedSoftmax.Shard<TFloat32>> out = new ArrayList<>();
    for (int p = 0; p < partition.shards(); p++) {
      Ops on = s.withDevice(partition.device(p));
      long o = partition.offset(p);
      if (k == SigsoftmaxHead.KIND || k == MixtureOfSoftmaxesHead.MOS_SIGSOFTMAX) {
        out.add(ShardedSoftmax.sigsoftmaxShard(on, h, weights.get(p), biases.get(p), labels, o));
      } else if (slopes.get(p) != null) {
        out.add(ShardedSoftmax.plifShard(on, h, weights.get(p), biases.get(p), slopes.get(p),
            HeadOptions.plif(spec).range(), labels, o));
      } else {
        out.add(ShardedSoftmax.linearShard(on, h, weights.get(p), biases.get(p), labels, o));
      }
    }
    return out;
  }

  private PartitionedVariable add(PartitionedVariable v) {
    variables.add(v);
    return v;
  }

  private PartitionedVariable whole(Ops s, DeviceSpec device, String name, Shape shape, double lr) {
    return add(PartitionedVariable.whole(s, device, name, shape, lr));
  }

  /** A read of part p (of the only part, for a whole variable). */
  private Operand<TFloat32> read(PartitionedVariable v, int p) {
    return v.parts().get(Math.min(p, v.parts().size() - 1)).read(scope);
  }
}
