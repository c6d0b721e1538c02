package org.beyondsoftmax.artifacts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.beyondsoftmax.kernels.CpuKernels;
import org.beyondsoftmax.ops.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What we publish, as the application finds it on its class path: beyond-softmax-native is two
 * jars (the provider, for any platform; the shared library under the classifier linux-x86_64),
 * without the platform jar the ops fall back to their composite forms, with it they use the fused
 * kernels; and the BOM pins this build's versions.
 */
class ArtifactsTest {
  private static final String LIBRARY = "org/beyondsoftmax/kernels/linux-x86_64/libbeyondkernels.so";

  /** The jar (or classes folder) a class path resource comes from. */
  private static Path origin(URL url, String resource) throws URISyntaxException {
    if (url.getProtocol().equals("jar")) {
      String u = url.toString();
      return Path.of(new URI(u.substring("jar:".length(), u.indexOf("!/"))));
    }
    Path p = Path.of(url.toURI());
    for (int i = 0; i < resource.split("/").length; i++) {
      p = p.getParent();
    }
    return p;
  }

  private static Path providerJar() throws Exception {
    String resource = CpuKernels.class.getName().replace('.', '/') + ".class";
    return origin(CpuKernels.class.getClassLoader().getResource(resource), resource);
  }

  private static Path platformJar() throws Exception {
    URL url = CpuKernels.class.getClassLoader().getResource(LIBRARY);
    assertTrue(url != null, LIBRARY + " is on the application's class path");
    return origin(url, LIBRARY);
  }

  /** Skips, saying why, where the build put classes folders on the class path instead of jars. */
  private static void assumeJars(Path... paths) {
    for (Path p : paths) {
      assumeTrue(Files.isRegularFile(p), "the native module is a classes folder here (" + p
          + ", a build that stopped before `package`): its jars are checked by `mvn verify`/`install`");
    }
  }

  @Test
  void theProviderJarHoldsTheJavaCodeAndThePlatformJarTheLibrary() throws Exception {
    Path provider = providerJar();
    Path platform = platformJar();
    assumeJars(provider, platform);
    assertTrue(platform.getFileName().toString().endsWith("-linux-x86_64.jar"), platform.toString());
    try (JarFile p = new JarFile(provider.toFile()); JarFile l = new JarFile(platform.toFile())) {
      List<String> providerEntries = p.stream().map(e -> e.getName()).toList();
      List<String> platformEntries = l.stream().map(e -> e.getName()).toList();
      assertTrue(providerEntries.contains("META-INF/services/org.beyondsoftmax.ops.NativeKernels"), providerEntries.toString());
      assertTrue(providerEntries.contains("org/beyondsoftmax/kernels/CpuKernels.class"), providerEntries.toString());
      assertFalse(providerEntries.stream().anyMatch(n -> n.endsWith(".so")), "no shared library in " + provider);
      assertTrue(platformEntries.contains(LIBRARY), platformEntries.toString());
      assertFalse(platformEntries.stream().anyMatch(n -> n.endsWith(".class")), "no classes in " + platform);
    }
  }

  private static List<String> child(String classPath) throws IOException, InterruptedException {
    Process p = ChildJvm.onClassPath(classPath, KernelsChild.class.getName()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the child process finished");
    assertEquals(0, p.exitValue(), "the child process failed:\n" + out);
    return out.lines().toList();
  }

  private static String line(List<String> out, String key) {
    return out.stream().filter(l -> l.startsWith(key + " ")).findFirst()
        .map(l -> l.substring(key.length() + 1)).orElseThrow(() -> new AssertionError("no '" + key + "' in " + out));
  }

  @Test
  void withoutThePlatformJarTheOpsFallBackToCompositeOps() throws Exception {
    Path platform = platformJar();
    assumeJars(providerJar(), platform);
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> !Path.of(e).toAbsolutePath().equals(platform.toAbsolutePath()))
        .collect(Collectors.joining(File.pathSeparator));
    List<String> out = child(classPath);
    assertEquals("false", line(out, "loaded"), out.toString());
    assertTrue(line(out, "status").contains("no kernels for linux-x86_64 on the class path"), out.toString());
    assertTrue(line(out, "status").contains("classifier linux-x86_64"), "the message names the jar: " + out);
    assertEquals("[]", line(out, "fused"), "composite ops only");
    assertEquals("[1.0, 0.0, 0.0]", line(out, "p"));
  }

  @Test
  void withThePlatformJarTheOpsUseTheFusedKernels() throws Exception {
    List<String> out = child(System.getProperty("java.class.path"));
    assertEquals("true", line(out, "loaded"), out.toString());
    assertEquals("[BeyondSparseThreshold]", line(out, "fused"));
    assertEquals("[1.0, 0.0, 0.0]", line(out, "p"));
  }

  private static Element project(Path pom) throws Exception {
    Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    return d.getDocumentElement();
  }

  private static String text(Element e, String... path) {
    Element at = e;
    for (String name : path) {
      Element next = null;
      for (Node n = at.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element c && c.getTagName().equals(name)) {
          next = c;
        }
      }
      assertTrue(next != null, "no <" + name + "> in <" + at.getTagName() + ">");
      at = next;
    }
    return at.getTextContent().trim();
  }

  @Test
  void theBomPinsThisBuildsVersions() throws Exception {
    // the BOM has no parent (it would export the build's own dependencyManagement): its versions
    // are written twice, and must agree
    Element root = project(Path.of("../pom.xml"));
    Element bom = project(Path.of("bom/pom.xml"));
    assertEquals("beyond-softmax-bom", text(bom, "artifactId"));
    assertEquals(text(root, "version"), text(bom, "version"), "the BOM's version is the project's");
    assertEquals(text(root, "properties", "tensorflow.version"), text(bom, "properties", "tensorflow.version"),
        "the BOM pins the TF-Java release the project builds against");
    for (String element : List.of("url", "licenses", "developers", "scm")) {
      assertEquals(text(root, element).replaceAll("\\s+", " "), text(bom, element).replaceAll("\\s+", " "),
          "the BOM's <" + element + "> is the project's");
    }
  }
}
