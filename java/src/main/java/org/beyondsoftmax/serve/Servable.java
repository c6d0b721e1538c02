package org.beyondsoftmax.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.beyondsoftmax.json.Json;
import org.beyondsoftmax.models.lm.ModelDirectory;
import org.beyondsoftmax.models.lm.Signatures;
import org.beyondsoftmax.train.ModelInfo;
import org.tensorflow.GraphOperation;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;

/**
 * One loaded version of a SavedModel (tag {@code serve}) and the endpoints it serves: every
 * signature whose inputs and outputs are batched numbers ({@link SignatureEndpoint}), but the
 * ones that change the model ({@value LanguageModelSession#TRAIN_STEP}). A language model of
 * {@code beyond train} ({@code model.json} beside it) gets word-id checks on its inputs and its
 * {@code serving_default} as a {@link NextWordEndpoint}.
 *
 * <p>Reference-counted: the server retains it for each request and releases it when the
 * request's batch has run; the session closes after the last release.
 */
public final class Servable {
  /** Signatures never served: running them changes the model's variables. */
  public static final Set<String> NOT_SERVED = Set.of(Signatures.TRAIN_STEP);

  private final Path dir;
  private final long version;
  private final SavedModelBundle bundle;
  private final Map<String, Endpoint> endpoints;
  private final Map<String, String> skipped;
  private final ModelInfo info;
  private final AtomicInteger references = new AtomicInteger(1);

  private Servable(Path dir, long version, SavedModelBundle bundle, Map<String, Endpoint> endpoints,
      Map<String, String> skipped, ModelInfo info) {
    this.dir = dir;
    this.version = version;
    this.bundle = bundle;
    this.endpoints = endpoints;
    this.skipped = skipped;
    this.info = info;
  }

  /**
   * Loads {@code dir} onto {@code device} as {@code version}.
   *
   * @throws IllegalArgumentException naming the directory and what is wrong with it
   */
  public static Servable load(Path dir, Device device, long version) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("model directory " + dir + " does not exist");
    }
    if (!Files.isRegularFile(dir.resolve(ModelDirectory.SAVED_MODEL))) {
      throw new IllegalArgumentException(dir + " holds no saved_model.pb: not a SavedModel directory");
    }
    ModelInfo info = null;
    if (Files.exists(dir.resolve(ModelDirectory.MODEL_INFO))) {
      try {
        info = Json.read(dir.resolve(ModelDirectory.MODEL_INFO), ModelInfo.class);
      } catch (IOException e) {
        throw new IllegalArgumentException(dir.resolve(ModelDirectory.MODEL_INFO) + " is not readable: " + firstLine(e), e);
      }
    }
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.loader(dir.toString()).withTags(SavedModelBundle.DEFAULT_TAG)
          .withConfigProto(device.config()).load();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot load the SavedModel in " + dir + ": " + firstLine(e), e);
    }
    try {
      Map<String, Endpoint> endpoints = new LinkedHashMap<>();
      Map<String, String> skipped = new LinkedHashMap<>();
      WordIds wordIds = info == null ? null
          : new WordIds(info.vocabulary(), info.steps(), Set.of(Signatures.IDS, Signatures.TARGETS));
      for (SessionFunction f : bundle.functions()) {
        String name = f.signature().key();
        if (NOT_SERVED.contains(name)) {
          skipped.put(name, "it changes the model's variables");
          continue;
        }
        try {
          endpoints.put(name, new SignatureEndpoint(f, wordIds));
        } catch (IllegalArgumentException e) {
          skipped.put(name, e.getMessage());
        }
      }
      if (info != null) {
        endpoints.put(Signatures.SERVING, nextWords(bundle, dir, info, wordIds));
      }
      if (endpoints.isEmpty()) {
        throw new IllegalArgumentException("the SavedModel in " + dir + " has no signature to serve: " + skipped);
      }
      return new Servable(dir, version, bundle, Map.copyOf(endpoints), Map.copyOf(skipped), info);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  private static NextWordEndpoint nextWords(SavedModelBundle bundle, Path dir, ModelInfo info, WordIds wordIds) {
    Signature serving = signature(bundle, Signatures.SERVING, dir);
    Signature next = signature(bundle, Signatures.NEXT_WORD, dir);
    var out = next.getOutputs().get(Signatures.NEXT_LOG_PROBABILITIES);
    if (out == null || next.getInputs().get(Signatures.IDS) == null) {
      throw new IllegalArgumentException("signature " + Signatures.NEXT_WORD + " of " + dir
          + " must map " + Signatures.IDS + " to " + Signatures.NEXT_LOG_PROBABILITIES);
    }
    long v = out.shape.numDimensions() == 2 ? out.shape.get(1) : -1;
    if (v != info.vocabulary()) {
      throw new IllegalArgumentException(dir.resolve(ModelDirectory.MODEL_INFO) + " says |V| = " + info.vocabulary()
          + " but the graph's next-word distribution has shape " + out.shape);
    }
    GraphOperation weights = bundle.graph().operation(Signatures.WEIGHTS);
    if (weights == null || !weights.type().equals("PlaceholderWithDefault")) {
      throw new IllegalArgumentException("the graph of " + dir + " has no '" + Signatures.WEIGHTS
          + "' input: not a language model of beyond train");
    }
    int k = info.settings() != null ? info.settings().topK() : 10;
    return new NextWordEndpoint(bundle.session(), serving, next, Signatures.WEIGHTS, wordIds, k,
        info.sparse());
  }

  private static Signature signature(SavedModelBundle bundle, String name, Path dir) {
    try {
      return bundle.function(name).signature();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the language model in " + dir + " has no signature '" + name + "'", e);
    }
  }

  static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  public Path dir() {
    return dir;
  }

  public long version() {
    return version;
  }

  /** The language model's description ({@code model.json}), or null for any other SavedModel. */
  public ModelInfo info() {
    return info;
  }

  public Map<String, Endpoint> endpoints() {
    return endpoints;
  }

  /** Signatures not served, with the reason. */
  public Map<String, String> skipped() {
    return skipped;
  }

  /**
   * The endpoint of {@code signature}.
   *
   * @throws ApiException 400 for a signature that is not served (TensorFlow Serving's status)
   */
  public Endpoint endpoint(String signature) {
    Endpoint e = endpoints.get(signature);
    if (e != null) {
      return e;
    }
    String why = skipped.containsKey(signature) ? " is not served: " + skipped.get(signature) : " does not exist";
    throw ApiException.badRequest("signature_name '" + signature + "'" + why + "; served: "
        + String.join(", ", new TreeSet<>(endpoints.keySet())));
  }

  /** Takes a reference; false if this version is closed already (take the manager's current one). */
  public boolean retain() {
    int n;
    do {
      n = references.get();
      if (n == 0) {
        return false;
      }
    } while (!references.compareAndSet(n, n + 1));
    return true;
  }

  /** Gives a reference back; the last one closes the session. */
  public void release() {
    if (references.decrementAndGet() == 0) {
      bundle.close();
    }
  }
}
