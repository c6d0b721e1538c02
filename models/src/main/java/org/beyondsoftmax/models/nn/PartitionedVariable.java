package org.beyondsoftmax.models.nn;

import java.util.ArrayList;
import java.util.List;
import org.beyondsoftmax.ops.Shapes;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A model variable as its one-process twin names it ({@code softmax/class_weights [V, d]}), stored
 * as parts, each a {@code VariableV2} on its device holding the rows [offset, offset + rows): one
 * part for a variable kept whole, P for one partitioned by class range ({@code .../part_p}).
 *
 * <p>Each use of a part reads it through its own {@code Identity} on the part's device
 * ({@link Part#read}); the gradient of a loss in the part is the sum of its gradients in those
 * reads ({@link Part#reads()}), which the caller adds on the part's device, so that a gradient made
 * on a device (a shard's custom gradient) is summed there and not on the device of the loss. A part
 * with no reads (a variable another class reads, such as the LSTM's through {@link Parameters}) takes
 * its gradient in the variable itself.
 *
 * <p>Parts are created with zeros: their values come from elsewhere (a one-process model's
 * initial values or a checkpoint, assigned part by part).
 *
 * @param name the name of the variable in the one-process model
 * @param shape the shape of the whole variable
 * @param learningRateMultiplier what optimisers multiply their base rate by for this variable, as for a
 *     {@link Parameter}
 * @param parts the parts, in row order
 */
public record PartitionedVariable(String name, Shape shape, double learningRateMultiplier, List<Part> parts) {
  /** Rows [offset, offset + rows) of the variable, on one device. */
  public static final class Part {
    private final Variable<TFloat32> variable;
    private final long offset;
    private final DeviceSpec device;
    private final List<Operand<TFloat32>> reads = new ArrayList<>();

    Part(Variable<TFloat32> variable, long offset, DeviceSpec device) {
      this.variable = variable;
      this.offset = offset;
      this.device = device;
    }

    public Variable<TFloat32> variable() {
      return variable;
    }

    /** The first row of the part in the whole variable. */
    public long offset() {
      return offset;
    }

    /** The device the part lives on. */
    public DeviceSpec device() {
      return device;
    }

    /** A new read of the part, an {@code Identity} on its device, for one use of it. */
    public Operand<TFloat32> read(Ops tf) {
      Operand<TFloat32> r = tf.withDevice(device).withName(variable.op().name().replace('/', '_') + "_read")
          .identity(variable);
      reads.add(r);
      return r;
    }

    /** Every read made so far; empty: the gradient is taken in the variable. */
    public List<Operand<TFloat32>> reads() {
      return List.copyOf(reads);
    }
  }

  public PartitionedVariable {
    parts = List.copyOf(parts);
  }

  /** A variable {@code name} of {@code shape} kept whole on {@code device}, in {@code tf}'s scope. */
  public static PartitionedVariable whole(
      Ops tf, DeviceSpec device, String name, Shape shape, double learningRateMultiplier) {
    Ops on = tf.withDevice(device);
    Variable<TFloat32> v = on.withName(name).variable(zeros(on, shape));
    return new PartitionedVariable(v.op().name(), shape, learningRateMultiplier, List.of(new Part(v, 0, device)));
  }

  /**
   * A variable {@code name} of {@code shape} [V, ...] split by rows as {@code partition} says:
   * parts {@code name/part_p} on the partition's devices, in {@code tf}'s scope.
   */
  public static PartitionedVariable byRows(
      Ops tf, String name, Shape shape, double learningRateMultiplier, ClassPartition partition) {
    if (shape.numDimensions() < 1 || shape.get(0) != partition.classes()) {
      throw new IllegalArgumentException("shape must have " + partition.classes() + " rows to split, got " + shape);
    }
    Ops scope = tf.withSubScope(name);
    List<Part> parts = new ArrayList<>();
    for (int p = 0; p < partition.shards(); p++) {
      long[] dims = shape.asArray();
      dims[0] = partition.size(p);
      Ops on = scope.withDevice(partition.device(p));
      parts.add(new Part(on.withName("part_" + p).variable(zeros(on, Shape.of(dims))), partition.offset(p),
          partition.device(p)));
    }
    String first = parts.get(0).variable().op().name();
    return new PartitionedVariable(first.substring(0, first.lastIndexOf('/')), shape, learningRateMultiplier, parts);
  }

  /** An existing variable kept whole on {@code device} (e.g. made by {@link Parameters}). */
  public static PartitionedVariable of(Parameter<TFloat32> p, DeviceSpec device) {
    return new PartitionedVariable(p.variable().op().name(), p.variable().shape(), p.learningRateMultiplier(),
        List.of(new Part(p.variable(), 0, device)));
  }

  /** Whether the variable is split into more than one part. */
  public boolean partitioned() {
    return parts.size() > 1;
  }

  private static Operand<TFloat32> zeros(Ops tf, Shape shape) {
    Ops init = tf.withInitScope();
    return init.zeros(Shapes.of(init, shape), TFloat32.class);
  }
}
