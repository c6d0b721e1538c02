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
 * {@link NativeKernels} provider: op types BeyondPlif, BeyondSoftmax, BeyondSparseThreshold,
 * BeyondFenchelYoungLoss, BeyondSigsoftmaxCrossEntropy, BeyondPlifCrossEntropy,
 * BeyondEntmaxBisect and BeyondEntmaxBisectLoss, each with a backward kernel and a registered
 * gradient. float32 and
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
    plifArguments(x, slopesRaw, range);
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
    integer(labels);
    return tf.scope().opBuilder("BeyondFenchelYoungLoss", "FenchelYoungLoss")
        .addInput(z.asOutput())
        .addInput(tf.stopGradient(labels).asOutput())
        .setAttr("mapping", mapping.name().toLowerCase(Locale.ROOT))
        .build()
        .output(0);
  }

  @Override
  public <T extends TNumber> Operand<T> sigsoftmaxCrossEntropy(
      Ops tf, Operand<T> z, Operand<? extends TNumber> labels) {
    classes("z", z);
    integer(labels);
    return tf.scope().opBuilder("BeyondSigsoftmaxCrossEntropy", "SigsoftmaxCrossEntropy")
        .addInput(z.asOutput())
        .addInput(tf.stopGradient(labels).asOutput())
        .build()
        .output(0);
  }

  @Override
  public <T extends TNumber> Operand<T> plifCrossEntropy(
      Ops tf, Operand<T> z, Operand<? extends TNumber> labels, Operand<T> slopesRaw, double range) {
    classes("z", z);
    integer(labels);
    plifArguments(z, slopesRaw, range);
    return tf.scope().opBuilder("BeyondPlifCrossEntropy", "PlifCrossEntropy")
        .addInput(z.asOutput())
        .addInput(tf.stopGradient(labels).asOutput())
        .addInput(slopesRaw.asOutput())
        .setAttr("range", Double.toString(range))
        .build()
        .output(0);
  }

  @Override
  public <T extends TNumber> Operand<T> entmaxBisect(Ops tf, Operand<T> x, Operand<T> alpha) {
    classes("x", x);
    alphaArgument(x, alpha);
    return tf.scope().opBuilder("BeyondEntmaxBisect", "EntmaxBisect")
        .addInput(x.asOutput())
        .addInput(alpha.asOutput())
        .build()
        .output(0);
  }

  @Override
  public <T extends TNumber> Operand<T> entmaxBisectLoss(
      Ops tf, Operand<T> z, Operand<? extends TNumber> labels, Operand<T> alpha) {
    classes("z", z);
    integer(labels);
    alphaArgument(z, alpha);
    return tf.scope().opBuilder("BeyondEntmaxBisectLoss", "EntmaxBisectLoss")
        .addInput(z.asOutput())
        .addInput(tf.stopGradient(labels).asOutput())
        .addInput(alpha.asOutput())
        .build()
        .output(0);
  }

  /** slopesRaw: the dtype of x, rank 1 with &gt;= 1 entries where known; range finite, &gt; 0. */
  private static void plifArguments(Operand<?> x, Operand<?> slopesRaw, double range) {
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
  }

  /**
   * alpha: the dtype of x; a single value or one per row where shapes are known (the values,
   * &gt;= 1, are checked by the kernel when it runs).
   */
  private static void alphaArgument(Operand<?> x, Operand<?> alpha) {
    if (alpha.type() != x.type()) {
      throw new IllegalArgumentException("alpha must have the dtype of x ("
          + x.asOutput().dataType() + "), got " + alpha.asOutput().dataType());
    }
    Shape a = alpha.shape();
    Shape s = x.shape();
    if (a.isUnknown() || s.isUnknown() || a.hasUnknownDimension() || s.hasUnknownDimension()) {
      return;
    }
    long rows = 1;
    for (int i = 0; i < s.numDimensions() - 1; i++) {
      rows *= s.get(i);
    }
    if (a.size() != 1 && a.size() != rows) {
      throw new IllegalArgumentException("alpha must hold one value, or one per row of x ("
          + rows + "), got shape " + a + " for x " + s);
    }
  }

  private static void integer(Operand<?> labels) {
    if (labels.type() != TInt32.class && labels.type() != TInt64.class) {
      throw new IllegalArgumentException(
          "labels must be int32 or int64, got " + labels.asOutput().dataType());
    }
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
