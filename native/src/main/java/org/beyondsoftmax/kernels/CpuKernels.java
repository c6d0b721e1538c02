package org.beyondsoftmax.kernels;

import java.util.Locale;
import org.beyondsoftmax.ops.NativeKernels;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * The fused CPU kernels of libbeyondkernels.so (C, TensorFlow's C kernel API) as a
 * {@link NativeKernels} provider: op types BeyondPlif, BeyondSoftmax, BeyondSparseThreshold and
 * BeyondFenchelYoungLoss, each with a backward kernel and a registered gradient. float32 and
 * float64; every kernel runs over rows (PLIF: over elements) on all the CPUs the process may use
 * (BEYOND_KERNEL_THREADS overrides). Found by {@link java.util.ServiceLoader}: the ops of
 * beyond-softmax-ops use it through {@code Kernels} when this jar is on the class path.
 */
public final class CpuKernels implements NativeKernels {
  private String from;

  public CpuKernels() {}

  @Override
  public synchronized void load() throws Exception {
    from = Library.load();
  }

  @Override
  public String description() {
    return "loaded from " + from + (Library.gpuRuntime() ? " (CPU placements only)" : "");
  }

  @Override
  public boolean usableOn(String device) {
    String d = device == null ? "" : device.toUpperCase(Locale.ROOT);
    return d.isEmpty() ? !Library.gpuRuntime() : d.contains("CPU");
  }

  @Override
  public <T extends TNumber> Operand<T> plif(Ops tf, Operand<T> x, Operand<T> slopesRaw, double range) {
    floating("x", x);
    if (slopesRaw.type() != x.type()) {
      throw new IllegalArgumentException("slopesRaw must have the dtype of x ("
          + x.asOutput().dataType() + "), got " + slopesRaw.asOutput().dataType());
    }
    Shape v = slopesRaw.shape();
    if (!v.isUnknown() && (v.numDimensions() != 1 || v.get(0) == 0)) {
      throw new IllegalArgumentException(
          "slopesRaw must have rank 1 and >= 1 entries (knots), got shape " + v);
    }
    if (!(range > 0) || Double.isInfinite(range)) {
      throw new IllegalArgumentException("range must be finite and > 0, got " + range);
    }
    return tf.scope().opBuilder("BeyondPlif", "Plif")
        .addInput(x.asOutput())
        .addInput(slopesRaw.asOutput())
        .setAttr("range", Double.toString(range))
        .build()
        .output(0);
  }

  @Override
  public <T extends TNumber> Operand<T> softmax(Ops tf, Operand<T> x, SoftmaxMode mode) {
    classes("x", x);
    return tf.scope().opBuilder("BeyondSoftmax", "Softmax")
        .addInput(x.asOutput())
        .setAttr("mode", mode.name().toLowerCase(Locale.ROOT))
        .build()
        .output(0);
  }

  @Override
  public <T extends TNumber> Operand<T> threshold(Ops tf, Operand<T> x, Sparse mapping) {
    return thresholdAndSupport(tf, x, mapping).tau();
  }

  /** The threshold and the support size #{p &gt; 0} of each row. */
  public <T extends TNumber> Threshold<T> thresholdAndSupport(Ops tf, Operand<T> x, Sparse mapping) {
    classes("x", x);
    var op = tf.scope().opBuilder("BeyondSparseThreshold", "SparseThreshold")
        .addInput(x.asOutput())
        .setAttr("mapping", mapping.name().toLowerCase(Locale.ROOT))
        .build();
    return new Threshold<>(op.output(0), op.output(1));
  }

  @Override
  public <T extends TNumber> Operand<T> fenchelYoungLoss(
      Ops tf, Operand<T> z, Operand<? extends TNumber> labels, Sparse mapping) {
    classes("z", z);
    if (labels.type() != TInt32.class && labels.type() != TInt64.class) {
      throw new IllegalArgumentException(
          "labels must be int32 or int64, got " + labels.asOutput().dataType());
    }
    return tf.scope().opBuilder("BeyondFenchelYoungLoss", "FenchelYoungLoss")
        .addInput(z.asOutput())
        .addInput(tf.stopGradient(labels).asOutput())
        .setAttr("mapping", mapping.name().toLowerCase(Locale.ROOT))
        .build()
        .output(0);
  }

  private static void floating(String name, Operand<?> x) {
    if (x.type() != TFloat32.class && x.type() != TFloat64.class) {
      throw new IllegalArgumentException(
          name + " must be float32 or float64, got " + x.asOutput().dataType());
    }
  }

  /** Floating, with a class axis: rank >= 1 where known. */
  private static void classes(String name, Operand<?> x) {
    floating(name, x);
    if (x.shape().numDimensions() == 0) {
      throw new IllegalArgumentException(name + " must have rank >= 1 (a class axis), got a scalar");
    }
  }

  /** A sparse mapping's threshold per row (units of its formula) and its support size. */
  public record Threshold<T extends TNumber>(Operand<T> tau, Operand<TInt32> support) {}
}
