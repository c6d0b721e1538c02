package org.beyondsoftmax.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.KernelDef;
import org.tensorflow.proto.KernelList;
import org.tensorflow.proto.OpDef;
import org.tensorflow.proto.OpList;

/**
 * libbeyondkernels.so, a class path resource of the platform's jar (beyond-softmax-native with
 * classifier linux-x86_64, the one platform it is built for; this jar holds only the Java code):
 * extracted to a temporary file, loaded into TensorFlow with {@link TensorFlow#loadLibrary} (which registers its ops and
 * kernels), then deleted; and the gradients of its op types registered. Once per process.
 */
final class Library {
  /** The op types the library must register. */
  static final Set<String> OPS =
      Set.of(
          "BeyondPlif", "BeyondPlifGrad", "BeyondSoftmax", "BeyondSoftmaxGrad",
          "BeyondSparseThreshold", "BeyondFenchelYoungLoss", "BeyondFenchelYoungLossGrad",
          "BeyondSigsoftmaxCrossEntropy", "BeyondSigsoftmaxCrossEntropyGrad",
          "BeyondPlifCrossEntropy", "BeyondPlifCrossEntropyGrad", "BeyondEntmaxBisect",
          "BeyondEntmaxBisectGrad", "BeyondEntmaxBisectLoss", "BeyondEntmaxBisectLossGrad");

  /** The platforms the shared library is built for (the classifiers of its jars). */
  static final String BUILT_FOR = "linux-x86_64";

  private static String loaded;
  private static boolean gpuRuntime;

  private Library() {}

  /** Loads the library unless already loaded; returns where it was loaded from. */
  static synchronized String load() throws IOException {
    if (loaded != null) {
      return loaded;
    }
    String platform = platform();
    String resource = "/org/beyondsoftmax/kernels/" + platform + "/libbeyondkernels.so";
    URL url = Library.class.getResource(resource);
    if (url == null) {
      throw new UnsupportedOperationException("no kernels for " + platform + " on the class path ("
          + resource + "; the jar beyond-softmax-native with classifier " + platform
          + ", built for " + BUILT_FOR + " only)");
    }
    Path dir = Files.createTempDirectory("beyond-kernels");
    Path file = dir.resolve("libbeyondkernels.so");
    OpList ops;
    try {
      try (InputStream in = url.openStream()) {
        Files.copy(in, file);
      }
      ops = TensorFlow.loadLibrary(file.toString());
    } finally {
      // the loader keeps its mapping; nothing is left behind in the temporary directory
      Files.deleteIfExists(file);
      Files.deleteIfExists(dir);
    }
    Set<String> missing = new TreeSet<>(OPS);
    for (OpDef op : ops.getOpList()) {
      missing.remove(op.getName());
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException("the kernel library did not register " + missing);
    }
    Gradients.register();
    gpuRuntime = hasGpuKernels("MatMul");
    loaded = url.toString();
    return loaded;
  }

  /** Whether the TensorFlow runtime of this process has GPU kernels (a CUDA build). */
  static synchronized boolean gpuRuntime() {
    return gpuRuntime;
  }

  private static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String o = os.startsWith("linux") ? "linux" : os.replace(' ', '_');
    String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch;
    return o + "-" + a;
  }

  private static boolean hasGpuKernels(String op) throws IOException {
    TF_Status status = TF_Status.newStatus();
    TF_Buffer buffer = tensorflow.TF_GetRegisteredKernelsForOp(op, status);
    try {
      status.throwExceptionIfNotOK();
      for (KernelDef k : KernelList.parseFrom(buffer.dataAsByteBuffer()).getKernelList()) {
        if (k.getDeviceType().equalsIgnoreCase("GPU")) {
          return true;
        }
      }
      return false;
    } finally {
      if (buffer != null) {
        buffer.delete();
      }
      status.delete();
    }
  }
}
