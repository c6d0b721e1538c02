package org.beyondsoftmax.ops;

import java.util.Iterator;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.tensorflow.op.Ops;

/**
 * Which implementation the ops build: fused CPU kernels of a {@link NativeKernels} provider
 * (module beyond-softmax-native on the class path), or the composite graph ops made of standard
 * TensorFlow ops. The fused kernels are used when all of these hold: a provider is present and
 * loaded (once per process, on first use; when absent or failing, one log line says so and the
 * composite ops are used), the system property {@value #PROPERTY} is not {@code portable}, the
 * graph is not being built inside {@link #portable()}, and the scope's device is the CPU (unset
 * counts as CPU in a TensorFlow build without GPU kernels).
 *
 * <p>Ops with kernels: PLIF, softmax, log-softmax, sigsoftmax, log-sigsoftmax, the sparsemax and
 * 1.5-entmax thresholds (mappings with {@link SortStrategy#BOUNDED_TOP_K}) and their losses,
 * alpha-entmax and its loss, and the sigsoftmax and PLIF cross-entropies.
 * Graphs with fused kernels only run where the provider's library is loaded; build graphs for
 * export (SavedModel, TF Serving, Python) inside {@link #portable()}.
 */
public final class Kernels {
  /** System property: {@code portable} turns the fused kernels off; {@code auto} (default). */
  public static final String PROPERTY = "beyondsoftmax.kernels";

  private static final System.Logger LOG = System.getLogger(Kernels.class.getName());
  private static final ThreadLocal<int[]> PORTABLE_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

  private Kernels() {}

  /**
   * Until the returned scope is closed, ops built on this thread use standard TensorFlow ops
   * only, whatever is loaded: for SavedModel export and anything that must run without the
   * plugin. Scopes nest.
   *
   * <pre>{@code
   * try (var portable = Kernels.portable()) {
   *   Operand<TFloat32> y = Mappings.plif(tf, x, slopes, 20.0);
   * }
   * }</pre>
   */
  public static Portable portable() {
    PORTABLE_DEPTH.get()[0]++;
    return new Portable();
  }

  /** Whether ops built on this thread now are portable (inside {@link #portable()} or the property). */
  public static boolean isPortable() {
    return PORTABLE_DEPTH.get()[0] > 0 || "portable".equals(System.getProperty(PROPERTY));
  }

  /** Whether a provider's fused kernels are loaded in this process (loading them if not yet tried). */
  public static boolean nativeLoaded() {
    return Holder.PROVIDER.isPresent();
  }

  /** What {@link #nativeLoaded()} found: the provider's description, or why there is none. */
  public static String status() {
    return Holder.STATUS;
  }

  /** The fused kernels to use for an op built with {@code tf} now, if any. */
  static Optional<NativeKernels> forScope(Ops tf) {
    if (isPortable()) {
      return Optional.empty();
    }
    return Holder.PROVIDER.filter(k -> k.usableOn(tf.scope().getDeviceString()));
  }

  /** The scope of {@link #portable()}; closing it twice is harmless. */
  public static final class Portable implements AutoCloseable {
    private final Thread owner = Thread.currentThread();
    private boolean closed;

    private Portable() {}

    @Override
    public void close() {
      if (closed) {
        return;
      }
      if (Thread.currentThread() != owner) {
        throw new IllegalStateException("a Kernels.portable() scope must be closed by its thread");
      }
      closed = true;
      PORTABLE_DEPTH.get()[0]--;
    }
  }

  /** Loads the provider on first use (class initialisation is thread-safe and happens once). */
  private static final class Holder {
    static final Optional<NativeKernels> PROVIDER;
    static final String STATUS;

    static {
      NativeKernels found = null;
      String status;
      if ("portable".equals(System.getProperty(PROPERTY))) {
        status = "not loaded: -D" + PROPERTY + "=portable";
      } else {
        try {
          Iterator<NativeKernels> it =
              ServiceLoader.load(NativeKernels.class, Kernels.class.getClassLoader()).iterator();
          if (!it.hasNext()) {
            status = "no provider on the class path";
          } else {
            NativeKernels k = it.next();
            k.load();
            found = k;
            status = k.description();
          }
        } catch (Exception | LinkageError | ServiceConfigurationError e) {
          status = "failed to load: " + e;
        }
      }
      PROVIDER = Optional.ofNullable(found);
      STATUS = status;
      LOG.log(found != null || status.startsWith("no provider")
              ? System.Logger.Level.INFO : System.Logger.Level.WARNING,
          found != null
              ? "beyond-softmax: fused CPU kernels " + status
              : "beyond-softmax: fused CPU kernels " + status + "; using the composite graph ops");
    }
  }
}
