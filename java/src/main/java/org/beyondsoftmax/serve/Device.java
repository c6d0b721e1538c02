package org.beyondsoftmax.serve;

import java.util.Locale;
import org.beyondsoftmax.savedmodel.KernelCoverage;
import org.tensorflow.DeviceSpec;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GPUOptions;

/**
 * Where a served model runs. {@code cpu} hides every GPU from the session; {@code gpu} lets
 * TensorFlow place each op on the first GPU (every op of our exported graphs has a GPU kernel:
 * {@code KernelCoverageTest}) and fails at start, with what to check, when none is visible.
 */
public enum Device {
  CPU,
  GPU;

  /** {@code cpu} or {@code gpu}, in any case. */
  public static Device parse(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "cpu" -> CPU;
      case "gpu" -> GPU;
      default -> throw new IllegalArgumentException("--device must be cpu or gpu, got '" + text + "'");
    };
  }

  /** The session configuration of a model served on this device. */
  public ConfigProto config() {
    ConfigProto.Builder c = ConfigProto.newBuilder();
    if (this == CPU) {
      c.putDeviceCount("GPU", 0);
    } else {
      // ops without a GPU kernel (none in our graphs) may still run on the CPU; memory on demand
      c.setAllowSoftPlacement(true).setGpuOptions(GPUOptions.newBuilder().setAllowGrowth(true));
    }
    return c.build();
  }

  /**
   * Fails unless this device can run ops: for {@code gpu}, places one op on {@code /device:GPU:0}
   * without soft placement and runs it.
   *
   * @throws IllegalStateException saying what the host needs
   */
  public void check() {
    if (this == CPU) {
      return;
    }
    if (!KernelCoverage.gpuKernelsRegistered()) {
      throw new IllegalStateException("--device gpu: this is the CPU build of TensorFlow, which has no GPU kernels; "
          + "build beyond-softmax with the GPU build (mvn -Pgpu -B -Dmaven.test.skip=true install; the host needs "
          + "an NVIDIA driver, CUDA 12 and cuDNN 9)");
    }
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g).withDevice(DeviceSpec.newBuilder().deviceType(DeviceSpec.DeviceType.GPU).deviceIndex(0)
          .build());
      var x = tf.math.add(tf.constant(1f), tf.constant(2f));
      ConfigProto strict = config().toBuilder().setAllowSoftPlacement(false).build();
      try (Session s = new Session(g, strict); Result r = s.runner().fetch(x).run()) {
        // an op ran on GPU:0
      } catch (RuntimeException e) {
        throw new IllegalStateException("--device gpu: no GPU is visible to TensorFlow (" + Servable.firstLine(e)
            + "). The host needs an NVIDIA GPU and driver (check: nvidia-smi), CUDA 12 and cuDNN 9 for "
            + "TensorFlow 2.18 (check: ldconfig -p | grep -E 'libcudart.so.12|libcudnn.so.9'), and beyond-softmax "
            + "built with the GPU build of TensorFlow: mvn -Pgpu -B -Dmaven.test.skip=true install", e);
      }
    }
  }
}
