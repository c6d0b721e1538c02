package org.beyondsoftmax.cluster;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetConfig;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SetTarget;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;

/**
 * A TF-Java {@link Session} on a remote master, {@code grpc://host:port} (a {@link TaskServer}),
 * for a graph built with {@code Ops} as everywhere else: the session's runner feeds, fetches and
 * runs targets as a local one does, so a training loop takes either.
 *
 * <p>Why this class: TF-Java 1.1.0's {@code Session} never calls {@code TF_SetTarget}, so it only
 * makes in-process sessions (tensorflow/java issue #369). Here the C API that TF-Java bundles makes
 * the session: {@code TF_NewSessionOptions}, {@code TF_SetTarget}, {@code TF_SetConfig},
 * {@code TF_NewSession} (through {@code TF_Session.newSession}, which registers
 * {@code TF_CloseSession} + {@code TF_DeleteSession} as the handle's deallocator). Three
 * package-private parts of TF-Java are reached by reflection, all resolved when this class loads,
 * so a TF-Java without them fails at once with a message naming them: {@code Graph.ref()} and its
 * {@code Reference.nativeHandle()}, the only way to the graph's {@code TF_Graph}; the constructor
 * {@code Session(Graph, TF_Session)}, which {@code SavedModelBundle} uses to wrap a session made
 * by the C API, and which gives us TF-Java's own runner (tensor conversion, typed results, errors as
 * TF-Java exceptions, {@code close} waiting for runs in flight) instead of a copy of it; and
 * {@code Session.markAllInitializersAsRan()}: a session with a target shares its variables with
 * every other session of the cluster, which may already hold trained values, so it must not run
 * the graph's initializers on its own as TF-Java's sessions do before their first run — whoever
 * owns initialization runs them explicitly ({@link Session#forceInitialize()}).
 *
 * <p>Resources: the session options and status live in a {@link PointerScope} closed before
 * {@link #open} returns; the session is closed and deleted by {@link Session#close()}; fetched
 * tensors are closed with the run's {@code Result}, fed ones by the caller, as with any session.
 * Build the graph before opening the session: initializers added later would make TF-Java refuse
 * to run it. TensorFlow's client waits for a master that is gone (it retries with wait-for-ready)
 * until the call's deadline: give runs a {@code RunOptions} timeout and the session a
 * {@code ConfigProto} operation timeout, which also bounds {@code close()} then.
 */
public final class RemoteSession {
  private static final Method GRAPH_REF;
  private static final Method REFERENCE_HANDLE;
  private static final Constructor<Session> SESSION;
  private static final Method MARK_INITIALIZED;

  static {
    try {
      GRAPH_REF = Graph.class.getDeclaredMethod("ref");
      GRAPH_REF.setAccessible(true);
      REFERENCE_HANDLE = GRAPH_REF.getReturnType().getDeclaredMethod("nativeHandle");
      REFERENCE_HANDLE.setAccessible(true);
      SESSION = Session.class.getDeclaredConstructor(Graph.class, TF_Session.class);
      SESSION.setAccessible(true);
      MARK_INITIALIZED = Session.class.getDeclaredMethod("markAllInitializersAsRan");
      MARK_INITIALIZED.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExceptionInInitializerError(new IllegalStateException(
          "this TF-Java lacks what RemoteSession needs (Graph.ref(), Graph.Reference.nativeHandle(), "
              + "Session(Graph, TF_Session), Session.markAllInitializersAsRan(); written for TF-Java 1.1.0): " + e, e));
    }
  }

  private RemoteSession() {}

  /** A session of {@code graph} on the master at {@code target}, with TensorFlow's default config. */
  public static Session open(Graph graph, String target) {
    return open(graph, target, null);
  }

  /**
   * A session of {@code graph} on the master at {@code target} ({@code grpc://host:port}); nothing
   * is sent until the first run, which hands the graph to the master.
   *
   * @param config session configuration (device filters, timeouts), or null
   * @throws IllegalArgumentException when the target is not grpc://...
   */
  public static Session open(Graph graph, String target, ConfigProto config) {
    if (target == null || !target.startsWith("grpc://")) {
      throw new IllegalArgumentException("target must be grpc://HOST:PORT, got " + target);
    }
    TF_Session handle;
    try (AutoCloseable ref = (AutoCloseable) GRAPH_REF.invoke(graph); PointerScope scope = new PointerScope()) {
      TF_Graph g = (TF_Graph) REFERENCE_HANDLE.invoke(ref);
      TF_Status status = TF_Status.newStatus();
      TF_SessionOptions options = TF_SessionOptions.newSessionOptions();
      TF_SetTarget(options, target);
      if (config != null) {
        BytePointer bytes = new BytePointer(config.toByteArray());
        TF_SetConfig(options, bytes, bytes.capacity(), status);
        status.throwExceptionIfNotOK();
      }
      handle = TF_Session.newSession(g, options, status);
      status.throwExceptionIfNotOK();
      handle.retainReference(); // outlives the scope; released by Session.close()
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("could not open a session on " + target + ": " + e, e);
    }
    Session session;
    try {
      session = SESSION.newInstance(graph, handle);
    } catch (ReflectiveOperationException | RuntimeException e) {
      handle.releaseReference();
      throw new IllegalStateException("could not wrap the session on " + target + ": " + e, e);
    }
    try {
      MARK_INITIALIZED.invoke(session);
    } catch (ReflectiveOperationException | RuntimeException e) {
      session.close();
      throw new IllegalStateException("could not mark the session on " + target + " initialized: " + e, e);
    }
    return session;
  }
}
