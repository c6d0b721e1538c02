package org.beyondsoftmax.examples;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.beyondsoftmax.framework.activations.Entmax15;
import org.beyondsoftmax.framework.activations.MappingActivation;
import org.beyondsoftmax.framework.activations.Sparsemax;
import org.beyondsoftmax.framework.losses.Entmax15Loss;
import org.beyondsoftmax.framework.losses.LogitsLoss;
import org.beyondsoftmax.framework.losses.SparseCrossEntropy;
import org.beyondsoftmax.framework.losses.SparsemaxLoss;
import org.beyondsoftmax.ops.Kernels;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.framework.optimizers.GradientDescent;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * What a user of beyond-softmax-models checks in their own project (run by `mvn verify` of this
 * project, from .ci/run): the README's example runs; a linear classifier of 5 Gaussian clusters
 * trains with the framework's GradientDescent and each of SparseCrossEntropy, SparsemaxLoss and
 * Entmax15Loss; Sparsemax and Entmax15 give rows on the simplex with exact zeros; the sparsemax
 * classifier exports as a SavedModel that loads back and gives the same probabilities; and our
 * artifacts brought no TensorFlow binaries and no beyond-softmax-native. Any failure throws.
 *
 * @see QuickStart
 */
public final class ConsumerCheck {
  static final int N = 250;
  static final int D = 4;
  static final int M = 5;
  static final int STEPS = 300;

  private ConsumerCheck() {}

  public static void main(String[] args) throws IOException {
    Path export = Path.of(args.length > 0 ? args[0] : "target/saved-model");
    onlyTheUsersNativeJar();
    QuickStart.main(new String[0]);
    float[][] x = new float[N][D];
    int[] y = new int[N];
    clusters(x, y);
    train(new SparseCrossEntropy(), null, x, y, null);
    train(new Entmax15Loss(), new Entmax15(), x, y, null);
    train(new SparsemaxLoss(), new Sparsemax(), x, y, export);
    System.out.println("consumer check passed");
  }

  /** Exactly one TensorFlow native jar, ours none: the libraries keep theirs in test scope. */
  private static void onlyTheUsersNativeJar() {
    List<String> natives = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(e -> Path.of(e).getFileName().toString())
        .filter(n -> n.matches("tensorflow-core-native-.*-.*\\.jar") || n.startsWith("beyond-softmax-native"))
        .toList();
    check(natives.size() == 1 && natives.get(0).startsWith("tensorflow-core-native-"),
        "one TensorFlow native jar, the one this project declares, and no beyond-softmax-native: " + natives);
    check(!Kernels.nativeLoaded() && Kernels.status().equals("no provider on the class path"),
        "the composite ops, without fused kernels: " + Kernels.status());
  }

  /** 5 well-separated Gaussian clusters in 4 dimensions, 50 examples each. */
  static void clusters(float[][] x, int[] y) {
    SplittableRandom random = new SplittableRandom(42);
    double[][] centres = new double[M][D];
    for (double[] c : centres) {
      for (int d = 0; d < D; d++) {
        c[d] = random.nextDouble(-3, 3);
      }
    }
    for (int i = 0; i < N; i++) {
      y[i] = i % M;
      for (int d = 0; d < D; d++) {
        x[i][d] = (float) (centres[y[i]][d] + 0.3 * random.nextGaussian());
      }
    }
  }

  /**
   * Trains W [D, M] and b [M] with {@code loss} and GradientDescent; checks the loss and the
   * accuracy, the activation's rows (when given) and the SavedModel (when {@code export} is).
   */
  private static void train(LogitsLoss loss, MappingActivation activation, float[][] x, int[] y, Path export)
      throws IOException {
    try (Graph graph = new Graph(); Session session = new Session(graph)) {
      Ops tf = Ops.create(graph);
      Placeholder<TFloat32> features = tf.withName("features").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, D)));
      Variable<TFloat32> w = tf.withName("w").variable(tf.withInitScope().constant(new float[D][M]));
      Variable<TFloat32> b = tf.withName("b").variable(tf.withInitScope().constant(new float[M]));
      Operand<TFloat32> logits = tf.math.add(tf.linalg.matMul(features, w), b);
      Operand<TFloat32> l = loss.call(tf, tf.constant(y), logits, null);
      Op step = new GradientDescent(graph, 0.5f).minimize(l);
      Operand<TInt64> classes = tf.math.argMax(logits, tf.constant(1));
      Operand<TFloat32> p = activation == null ? null : activation.call(tf, logits);
      session.initialize();
      try (TFloat32 in = TFloat32.tensorOf(StdArrays.ndCopyOf(x))) {
        float first = scalar(session, l, features, in);
        for (int i = 0; i < STEPS; i++) {
          session.runner().feed(features, in).addTarget(step).run();
        }
        float last = scalar(session, l, features, in);
        long[] predicted;
        try (Result r = session.runner().feed(features, in).fetch(classes).run()) {
          predicted = StdArrays.array1dCopyOf((TInt64) r.get(0));
        }
        int right = 0;
        for (int i = 0; i < N; i++) {
          right += predicted[i] == y[i] ? 1 : 0;
        }
        System.out.printf("%s + GradientDescent: loss %.4f -> %.4f, accuracy %d/%d%n", loss.getName(), first, last, right, N);
        check(last < 0.25 * first, loss.getName() + " trains: " + first + " -> " + last);
        check(right >= 0.95 * N, loss.getName() + " classifies the clusters: " + right + "/" + N);
        if (activation == null) {
          return;
        }
        float[][] rows;
        try (Result r = session.runner().feed(features, in).fetch(p).run()) {
          rows = StdArrays.array2dCopyOf((TFloat32) r.get(0));
        }
        onTheSimplexWithExactZeros(activation.getName(), rows);
        if (export != null) {
          exportAndLoad(session, features, p, rows, in, export);
        }
      }
    }
  }

  private static float scalar(Session session, Operand<TFloat32> value, Placeholder<TFloat32> features, TFloat32 in) {
    try (Result r = session.runner().feed(features, in).fetch(value).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  private static void onTheSimplexWithExactZeros(String name, float[][] rows) {
    int zeros = 0;
    for (float[] row : rows) {
      double sum = 0;
      for (float v : row) {
        check(v >= 0, name + ": probabilities >= 0: " + Arrays.toString(row));
        sum += v;
        zeros += v == 0f ? 1 : 0;
      }
      check(Math.abs(sum - 1) < 1e-5, name + ": rows sum to 1: " + Arrays.toString(row));
    }
    System.out.printf("%s: %d rows on the simplex, %d of %d probabilities exactly 0%n", name, rows.length, zeros, rows.length * M);
    check(zeros >= rows.length, name + " gives exact zeros (" + zeros + ")");
  }

  /** Exports features -> probabilities as serving_default, loads it back, compares. */
  private static void exportAndLoad(Session session, Placeholder<TFloat32> features, Operand<TFloat32> p,
      float[][] expected, TFloat32 in, Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> old = Files.walk(dir)) {
        for (Path f : old.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
    Signature signature = Signature.builder(Signature.DEFAULT_KEY).input("features", features).output("probabilities", p).build();
    SavedModelBundle.exporter(dir.toString()).withSession(session).withSignatures(signature).export();
    try (SavedModelBundle model = SavedModelBundle.load(dir.toString(), SavedModelBundle.DEFAULT_TAG);
        Result r = model.function(Signature.DEFAULT_KEY).call(Map.of("features", (Tensor) in))) {
      float[][] loaded = StdArrays.array2dCopyOf((TFloat32) r.get("probabilities").orElseThrow());
      for (int i = 0; i < expected.length; i++) {
        for (int j = 0; j < M; j++) {
          check(Math.abs(loaded[i][j] - expected[i][j]) <= 1e-6 && (loaded[i][j] == 0) == (expected[i][j] == 0),
              "the loaded SavedModel gives the session's probabilities: row " + i + " " + Arrays.toString(loaded[i])
                  + " vs " + Arrays.toString(expected[i]));
        }
      }
    }
    System.out.println("SavedModel " + dir + ": exported, loaded, the same probabilities");
  }

  private static void check(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException("consumer check failed: " + what);
    }
  }
}
