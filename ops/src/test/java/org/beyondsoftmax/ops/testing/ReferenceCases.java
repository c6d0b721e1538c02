package org.beyondsoftmax.ops.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * The shared reference vectors ({@code *.json} files of cases, each an op, its params, tensors x,
 * labels, dy, y and the expected gradients d + input name): reading them, feeding their tensors
 * to a {@link TestGraph}, and checking an op's value and vector-Jacobian products against a case.
 */
public final class ReferenceCases {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReferenceCases() {}

  /** Where the reference vectors are on the class path (this module's test resources). */
  public static final String RESOURCE_DIR = "/reference";

  /**
   * Every reference case: those on the class path ({@value #RESOURCE_DIR}, the copy of the shared
   * set in the ops module's test resources), then those of {@code -Dreference.dir=DIR} when given.
   */
  public static List<JsonNode> all() throws IOException {
    List<JsonNode> cases = new ArrayList<>(bundled());
    String extra = System.getProperty("reference.dir");
    if (extra != null && !extra.isBlank()) {
      Path dir = Path.of(extra);
      assertTrue(Files.isDirectory(dir), "-Dreference.dir=" + extra + " is not a directory");
      List<JsonNode> more = read(dir);
      assertFalse(more.isEmpty(), "-Dreference.dir=" + extra + " holds no *.json cases");
      cases.addAll(more);
    }
    return cases;
  }

  /**
   * The cases on the class path: a directory of test classes, or a folder of the ops test-jar
   * (the tests of native and models).
   */
  public static List<JsonNode> bundled() throws IOException {
    URL readme = ReferenceCases.class.getResource(RESOURCE_DIR + "/README.md");
    assertNotNull(readme, "no reference vectors on the class path (" + RESOURCE_DIR
        + "/: ops/src/test/resources/reference, packed into the ops test-jar)");
    URI uri;
    try {
      uri = readme.toURI();
    } catch (URISyntaxException e) {
      throw new IOException("bad class path entry " + readme, e);
    }
    List<JsonNode> cases;
    if (uri.getScheme().equals("jar")) {
      FileSystem jar;
      boolean opened = false;
      try {
        jar = FileSystems.getFileSystem(uri);
      } catch (FileSystemNotFoundException e) {
        jar = FileSystems.newFileSystem(uri, Map.of());
        opened = true;
      }
      try {
        cases = read(jar.getPath(RESOURCE_DIR));
      } finally {
        if (opened) {
          jar.close();
        }
      }
    } else {
      cases = read(Path.of(uri).getParent());
    }
    assertFalse(cases.isEmpty(), "no *.json cases beside " + readme);
    return cases;
  }

  /** Every case of every {@code *.json} in {@code dir}, files in name order. */
  public static List<JsonNode> read(Path dir) throws IOException {
    List<JsonNode> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        try (var in = Files.newInputStream(f)) {
          JSON.readTree(in).get("cases").forEach(cases::add);
        }
      }
    }
    return cases;
  }

  /** A tensor's data; the strings "inf", "-inf" and "nan" stand for those values. */
  public static double[] data(JsonNode tensor) {
    JsonNode d = tensor.get("data");
    double[] a = new double[d.size()];
    for (int i = 0; i < a.length; i++) {
      JsonNode v = d.get(i);
      a[i] = v.isTextual() ? switch (v.asText()) {
        case "inf" -> Double.POSITIVE_INFINITY;
        case "-inf" -> Double.NEGATIVE_INFINITY;
        case "nan" -> Double.NaN;
        default -> throw new IllegalArgumentException("bad value " + v);
      } : v.asDouble();
    }
    return a;
  }

  public static long[] shape(JsonNode tensor) {
    JsonNode s = tensor.get("shape");
    long[] a = new long[s.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = s.get(i).asLong();
    }
    return a;
  }

  /** The case's tensor {@code name} as a float64 input of {@code g}. */
  public static Operand<TFloat64> input(TestGraph g, JsonNode c, String name) {
    return g.input(data(c.get(name)), shape(c.get(name)));
  }

  /** The case's labels as an int32 input of {@code g}, or null when it has none. */
  public static Operand<TInt32> labels(TestGraph g, JsonNode c) {
    if (!c.has("labels")) {
      return null;
    }
    double[] d = data(c.get("labels"));
    int[] labels = new int[d.length];
    for (int i = 0; i < d.length; i++) {
      labels[i] = (int) d[i];
    }
    return g.labels(labels, shape(c.get("labels")));
  }

  /**
   * Asserts that y and the vector-Jacobian products with the case's dy in the inputs {@code wrt}
   * match the case's y and gradients (named {@code gradNames}: "dx", "dslopes_raw" stored as its
   * nonzero entries, ...) within atol + rtol |expected|.
   */
  public static void assertMatches(TestGraph g, JsonNode c, Operand<TFloat64> y,
      List<Operand<TFloat64>> wrt, List<String> gradNames, double atol, double rtol) {
    Operand<TFloat64> dy = input(g, c, "dy");
    List<Operand<?>> fetch = new ArrayList<>(List.of(y));
    fetch.addAll(g.vjp(y, dy, wrt));
    List<double[]> out = g.run(fetch);
    TestGraph.assertClose("y", data(c.get("y")), out.get(0), atol, rtol);
    for (int i = 0; i < gradNames.size(); i++) {
      String name = gradNames.get(i);
      double[] expected =
          name.equals("dslopes_raw") ? dense(c, out.get(1 + i).length) : data(c.get(name));
      TestGraph.assertClose(name, expected, out.get(1 + i), atol, rtol);
    }
  }

  private static double[] dense(JsonNode c, int size) {
    double[] d = new double[size];
    double[] idx = data(c.get("dslopes_raw_nonzero_index"));
    double[] val = data(c.get("dslopes_raw_nonzero"));
    for (int i = 0; i < idx.length; i++) {
      d[(int) idx[i]] = val[i];
    }
    return d;
  }
}
