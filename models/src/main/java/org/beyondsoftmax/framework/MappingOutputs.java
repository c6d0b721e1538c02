package org.beyondsoftmax.framework;

import java.util.Optional;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TType;

/**
 * Which tensors are probabilities from our activations: each activation ends in an
 * {@code Identity} named after it ({@code sparsemax_probabilities}, ...) that carries the mapping's name and whether it can
 * give exact zeros as attributes ({@value #MAPPING_ATTR}, {@value #SPARSE_ATTR}; they survive
 * SavedModel export and need no code to run). The losses use this to refuse probabilities where
 * they take logits, and to name the trap of sparse probabilities fed to a cross-entropy.
 */
public final class MappingOutputs {
  /** The suffix of the marking {@code Identity}'s name, after the mapping's name. */
  public static final String OP_SUFFIX = "_probabilities";
  /** Attribute: the activation's name ({@code sparsemax}, ...). */
  public static final String MAPPING_ATTR = "_beyond_mapping";
  /** Attribute: whether the activation can give exact zeros. */
  public static final String SPARSE_ATTR = "_beyond_sparse";

  /** Where a tensor comes from: one of our activations (and whether sparse), or TF's Softmax op. */
  public record Source(String mapping, boolean sparse) {}

  private MappingOutputs() {}

  /** {@code p} through an {@code Identity} that says it is the output of {@code mapping}. */
  public static <T extends TType> Operand<T> mark(Ops tf, Operand<T> p, String mapping, boolean sparse) {
    Operation op = tf.scope().opBuilder("Identity", mapping + OP_SUFFIX)
        .addInput(p.asOutput())
        .setAttr("T", p.asOutput().dataType())
        .setAttr(MAPPING_ATTR, mapping)
        .setAttr(SPARSE_ATTR, sparse)
        .build();
    return op.output(0);
  }

  /**
   * The probabilities {@code x} holds when it is the output of one of our activations or of
   * TensorFlow's {@code Softmax} op (the framework's {@code Softmax} activation on rank 2), in a
   * graph; otherwise empty.
   */
  public static Optional<Source> source(Operand<?> x) {
    if (!(x.op() instanceof GraphOperation op)) {
      return Optional.empty();
    }
    if (op.type().equals("Softmax")) {
      return Optional.of(new Source("softmax (TensorFlow's Softmax op)", false));
    }
    if (!op.type().equals("Identity")) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Source(op.attributes().getAttrString(MAPPING_ATTR),
          op.attributes().getAttrBool(SPARSE_ATTR)));
    } catch (RuntimeException notMarked) {
      return Optional.empty();
    }
  }
}
