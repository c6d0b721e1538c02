package org.beyondsoftmax.savedmodel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.beyondsoftmax.models.attention.Normalisers;
import org.beyondsoftmax.models.cache.CacheSettings;
import org.beyondsoftmax.models.cache.CacheTraining;
import org.beyondsoftmax.models.calibration.LogitCalibration;
import org.beyondsoftmax.models.heads.Heads;
import org.beyondsoftmax.models.lm.Backbone;
import org.beyondsoftmax.models.lm.LanguageModel;
import org.beyondsoftmax.models.lm.LanguageModelGraph;
import org.beyondsoftmax.models.lm.LanguageModelSession;
import org.beyondsoftmax.models.lm.Signatures;
import org.beyondsoftmax.models.optim.Optimizer;
import org.beyondsoftmax.ops.PortableGraphs;
import org.beyondsoftmax.savedmodel.KernelCoverage.Gap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.KernelDef;
import org.tensorflow.proto.KernelList;
import org.tensorflow.proto.NameAttrList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Every node that the exported signatures of every head, and of the Transformer with every
 * attention normaliser, run has a GPU kernel in TensorFlow's GPU build, so nothing falls back to
 * the CPU: the matcher on hand-built registries, the real CPU
 * registry as a positive control, and the real GPU registry (GPU build only: {@code mvn -Pgpu}, or
 * the {@code gpu-kernel-coverage} execution of {@code mvn verify}, which sets
 * {@value #GPU_REQUIRED} so that the GPU checks fail rather than skip without the GPU build).
 */
class KernelCoverageTest {
  static final String GPU_REQUIRED = "beyond.kernels.gpu.required";
  static final String NO_GPU_BUILD = "KernelCoverageTest: GPU checks need the GPU build of TensorFlow: "
      + "mvn -Pgpu -pl java surefire:test -Dtest=KernelCoverageTest, or mvn -B verify (its gpu-kernel-coverage "
      + "execution puts tensorflow-core-native:linux-x86_64-gpu on the test class path)";

  /** The heads by spec: every head with its defaults, and the options that build other ops. */
  static List<String> heads() {
    List<String> heads = new ArrayList<>(Heads.names());
    heads.addAll(List.of("softmax:tied=true", "entmax:alpha=1.3", "entmax:learn-alpha=true"));
    return heads;
  }

  /**
   * The Transformer's attention normalisers by spec: every normaliser, with the options that build
   * other ops (exact 1.5-entmax and bisection; constant and learned per-head values).
   */
  static List<String> attentions() {
    return List.of("softmax", "sparsemax", "entmax", "entmax:alpha=1.3", "entmax:learn-alpha=true", "ssmax",
        "ssmax:learn-s=true", "softpick", "sigmoid");
  }

  /**
   * An exported graph, the tensor names of each signature's outputs, and its ops that are not
   * TensorFlow's own ({@link PortableGraphs#foreignOps}: none in what an export writes).
   */
  record Exported(GraphDef graph, Map<String, List<String>> outputs, Set<String> foreign) {
    static Exported of(Graph g, List<Signature> signatures) {
      Map<String, List<String>> outputs = new LinkedHashMap<>();
      signatures.forEach(s -> outputs.put(s.key(), KernelCoverage.outputs(List.of(s))));
      return new Exported(g.toGraphDef(), outputs, PortableGraphs.foreignOps(g));
    }
  }

  private static final Map<String, Exported> GRAPHS = new LinkedHashMap<>();

  /** The graph {@link LanguageModelSession#portable} exports, tiny; Adam with clipping and dropout. */
  static synchronized Exported languageModel(String head) {
    return GRAPHS.computeIfAbsent(head, h -> build(h, 1, Optimizer.Kind.ADAM, 1.0, 0.1));
  }

  /** The graph a tiny Transformer of 2 blocks with 2 heads of {@code attention} exports; a softmax head. */
  static synchronized Exported transformer(String attention) {
    return GRAPHS.computeIfAbsent("transformer " + attention, a -> build(new LanguageModel.Config(12, 8, 8, 2,
        Heads.parse("softmax"), 3, new Backbone.Transformer(Normalisers.parse(attention), 2, 6)),
        Optimizer.Kind.ADAM, 1.0, 0.1));
  }

  static Exported build(String head, int layers, Optimizer.Kind optimizer, double clip, double dropout) {
    return build(head, layers, optimizer, clip, dropout, null);
  }

  /** The tiny LSTM model of {@code head} with {@code cache} (null: none). */
  static Exported build(String head, int layers, Optimizer.Kind optimizer, double clip, double dropout,
      CacheSettings cache) {
    return build(new LanguageModel.Config(12, 8, 8, layers, Heads.parse(head), 3), optimizer, clip, dropout, cache);
  }

  static Exported build(LanguageModel.Config config, Optimizer.Kind optimizer, double clip, double dropout) {
    return build(config, optimizer, clip, dropout, null);
  }

  static Exported build(LanguageModel.Config config, Optimizer.Kind optimizer, double clip, double dropout,
      CacheSettings cache) {
    LanguageModelGraph.Training training = new LanguageModelGraph.Training(
        Optimizer.Settings.of(optimizer, clip), 0.02, dropout);
    try (LanguageModelSession s = LanguageModelSession.portable(config, training, 6, 3, cache)) {
      return Exported.of(s.graph(), s.modelGraph().signatures());
    }
  }

  /**
   * The graph {@code e} (called {@code name}) has CPU kernels for every node its signatures run and
   * holds TensorFlow's own ops only; {@code what} heads the failure messages.
   */
  static void assertRunsOnTheCpuWithOwnOps(KernelCoverage cpu, Exported e, String name, String what) {
    assertEquals(Map.of(), gaps(cpu, e, "CPU " + name), what);
    assertEquals(Set.of(), e.foreign(), what + ": the exported graph holds TensorFlow's own ops only");
  }

  /** Adds the {@code gaps} of the graph {@code key} to {@code failures}, unless there are none. */
  static void addGaps(Map<String, Map<String, List<Gap>>> failures, String key, Map<String, List<Gap>> gaps) {
    if (!gaps.isEmpty()) {
      failures.put(key, gaps);
    }
  }

  /**
   * The graphs of a cache head: untrained (the mixture) on a dense head, TRIME (the joint softmax)
   * on a dense head, HistAlign on a sparse head (the mixture, the head's loss plus the cache's).
   */
  static Map<String, Exported> cachedGraphs() {
    CacheSettings cache = CacheSettings.untrained(5);
    Map<String, Exported> graphs = new LinkedHashMap<>();
    graphs.put("softmax + cache", build("softmax", 1, Optimizer.Kind.ADAM, 1.0, 0.1, cache));
    graphs.put("softmax + trime", build("softmax", 1, Optimizer.Kind.ADAM, 1.0, 0.1,
        cache.withTraining(CacheTraining.TRIME, 1, 0.001)));
    graphs.put("entmax + histalign", build("entmax", 1, Optimizer.Kind.ADAM, 1.0, 0.1,
        cache.withTraining(CacheTraining.HISTALIGN, 1, 0.001)));
    return graphs;
  }

  /** The gaps of each signature of {@code e}, without the assert messages ({@link #isAssertMessage}). */
  static Map<String, List<Gap>> gaps(KernelCoverage coverage, Exported e, String what) {
    Map<String, List<Gap>> gaps = new LinkedHashMap<>();
    List<String> messages = new ArrayList<>();
    e.outputs().forEach((signature, outputs) -> {
      List<Gap> all = coverage.gaps(e.graph(), outputs);
      List<Gap> real = all.stream().filter(g -> !isAssertMessage(g, e.graph())).toList();
      all.stream().filter(g -> isAssertMessage(g, e.graph())).forEach(g -> messages.add(signature + ": " + g.node()));
      if (!real.isEmpty()) {
        gaps.put(signature, real);
      }
    });
    System.out.println("KernelCoverageTest: " + what + ": " + (gaps.isEmpty() ? "covered" : "GAPS " + gaps)
        + (messages.isEmpty() ? "" : "; string Consts read only by Assert (host memory): " + messages));
    return gaps;
  }

  /**
   * A string Const read only by Assert nodes: the message of a check, such as the one
   * LanguageModelSession puts on the input length. TensorFlow has no GPU kernel for string
   * constants (strings live in host memory) and Assert's {@code data} input is a host-memory
   * argument of its DEFAULT kernel, so the placer keeps this node on the CPU without any copy.
   */
  static boolean isAssertMessage(Gap gap, GraphDef graph) {
    if (!gap.op().equals("Const") || !gap.types().equals(Map.of("dtype", "string"))) {
      return false;
    }
    List<NodeDef> readers = graph.getNodeList().stream()
        .filter(n -> n.getInputList().stream().anyMatch(i -> i.equals(gap.node()) || i.startsWith(gap.node() + ":")))
        .toList();
    return !readers.isEmpty() && readers.stream().allMatch(n -> n.getOp().equals("Assert"));
  }

  static void assumeGpuBuild() {
    boolean gpu = KernelCoverage.gpuKernelsRegistered();
    if (!gpu && Boolean.getBoolean(GPU_REQUIRED)) {
      fail(GPU_REQUIRED + " is set but the TensorFlow on the class path has no GPU kernels; class path: "
          + System.getProperty("java.class.path"));
    }
    if (!gpu) {
      System.out.println(NO_GPU_BUILD);
    }
    assumeTrue(gpu, NO_GPU_BUILD);
  }

  // ---- the matcher, on hand-built registries ----

  private static AttrValue type(DataType t) {
    return AttrValue.newBuilder().setType(t).build();
  }

  private static AttrValue types(DataType... t) {
    return AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder().addAllType(List.of(t))).build();
  }

  private static KernelDef kernel(String op, String device, String attr, DataType... allowed) {
    KernelDef.Builder k = KernelDef.newBuilder().setOp(op).setDeviceType(device);
    if (attr != null) {
      k.addConstraint(KernelDef.AttrConstraint.newBuilder().setName(attr).setAllowedValues(types(allowed)));
    }
    return k.build();
  }

  private static NodeDef node(String name, String op, Map<String, AttrValue> attrs, String... inputs) {
    return NodeDef.newBuilder().setName(name).setOp(op).putAllAttr(attrs).addAllInput(List.of(inputs)).build();
  }

  private static KernelCoverage registry(String device, OpDef op, KernelDef... kernels) {
    Map<String, KernelList.Builder> byOp = new LinkedHashMap<>();
    for (KernelDef k : kernels) {
      byOp.computeIfAbsent(k.getOp(), o -> KernelList.newBuilder()).addKernel(k);
    }
    return new KernelCoverage(device, o -> byOp.containsKey(o) ? byOp.get(o).build() : null,
        o -> op != null && op.getName().equals(o) ? op : null);
  }

  @Test
  void aNodeWhoseTypeNoKernelOfTheDeviceAllowsIsAGap() {
    KernelCoverage gpu = registry("GPU", null,
        kernel("MatMul", "GPU", "T", DataType.DT_FLOAT, DataType.DT_HALF),
        kernel("MatMul", "CPU", "T", DataType.DT_INT32, DataType.DT_FLOAT),
        kernel("Placeholder", "DEFAULT", null), kernel("NoOp", "GPU", null));
    GraphDef g = GraphDef.newBuilder()
        .addNode(node("a", "Placeholder", Map.of("dtype", type(DataType.DT_FLOAT))))
        .addNode(node("b", "Placeholder", Map.of("dtype", type(DataType.DT_INT32))))
        .addNode(node("float_mm", "MatMul", Map.of("T", type(DataType.DT_FLOAT)), "a", "a"))
        .addNode(node("int_mm", "MatMul", Map.of("T", type(DataType.DT_INT32)), "b", "b:0"))
        .addNode(node("unused_int_mm", "MatMul", Map.of("T", type(DataType.DT_INT32)), "b", "b"))
        .addNode(node("update", "NoOp", Map.of(), "^int_mm"))
        .addNode(node("loss", "Identity", Map.of("T", type(DataType.DT_FLOAT)), "float_mm", "^update"))
        .build();
    assertEquals(List.of(), gpu.gaps(g, List.of("float_mm:0")), "float MatMul: a GPU kernel");
    List<Gap> gaps = gpu.gaps(g, List.of("loss:0"));
    assertEquals(List.of("int_mm", "loss"), gaps.stream().map(Gap::node).toList(),
        "the int32 MatMul behind a control input, and Identity (no kernel at all); not the unused one: " + gaps);
    assertEquals("MatMul", gaps.get(0).op());
    assertEquals(Map.of("T", "int32"), gaps.get(0).types());
    assertEquals("1 kernel, T: [float, half]", gaps.get(0).available());
    assertEquals("none", gaps.get(1).available());
    assertEquals(List.of("float_mm"), registry("CPU", null, kernel("MatMul", "CPU", "T", DataType.DT_INT32),
        kernel("Placeholder", "CPU", null)).gaps(g, List.of("float_mm")).stream().map(Gap::node).toList(),
        "the device decides: on the CPU of this registry only int32 runs");
    assertThrows(IllegalArgumentException.class, () -> gpu.gaps(g, List.of("nothing:0")));
    NodeDef loop = node("loop", "While", Map.of("body",
        AttrValue.newBuilder().setFunc(NameAttrList.newBuilder().setName("body")).build()));
    assertThrows(IllegalArgumentException.class, () -> gpu.gaps(GraphDef.newBuilder().addNode(loop).build(),
        List.of("loop")), "a function's body is not checked: refused, not passed");
  }

  @Test
  void listsLabelsDefaultDevicesAndOpDefaultsDecideTheMatchLikeTensorFlow() {
    KernelCoverage gpu = registry("GPU", null, kernel("IdentityN", "DEFAULT", "T", DataType.DT_FLOAT, DataType.DT_INT32));
    assertTrue(gpu.hasKernel(node("n", "IdentityN", Map.of("T", types(DataType.DT_FLOAT, DataType.DT_INT32)))),
        "a DEFAULT kernel serves every device; every type of a list must be allowed");
    assertFalse(gpu.hasKernel(node("n", "IdentityN", Map.of("T", types(DataType.DT_FLOAT, DataType.DT_STRING)))));
    assertFalse(gpu.hasKernel(node("n", "IdentityN", Map.of())), "a constraint on a missing attribute fails");

    KernelCoverage labelled = registry("GPU", null,
        kernel("Relu", "GPU", "T", DataType.DT_FLOAT).toBuilder().setLabel("fused").build());
    assertFalse(labelled.hasKernel(node("n", "Relu", Map.of("T", type(DataType.DT_FLOAT)))),
        "a labelled kernel serves only nodes with that _kernel");
    assertTrue(labelled.hasKernel(node("n", "Relu", Map.of("T", type(DataType.DT_FLOAT),
        "_kernel", AttrValue.newBuilder().setS(ByteString.copyFromUtf8("fused")).build()))));

    OpDef argMax = OpDef.newBuilder().setName("ArgMax").addAttr(OpDef.AttrDef.newBuilder().setName("output_type")
        .setType("type").setDefaultValue(type(DataType.DT_INT64))).build();
    NodeDef noOutputType = node("n", "ArgMax", Map.of("T", type(DataType.DT_FLOAT)));
    KernelDef int32Only = kernel("ArgMax", "GPU", "output_type", DataType.DT_INT32);
    assertFalse(registry("GPU", argMax, int32Only).hasKernel(noOutputType), "the OpDef default (int64) counts");
    assertTrue(registry("GPU", argMax, kernel("ArgMax", "GPU", "output_type", DataType.DT_INT64))
        .hasKernel(noOutputType));
    assertEquals(Map.of("T", "float", "output_type", "int64"),
        registry("GPU", argMax, int32Only).gaps(GraphDef.newBuilder().addNode(noOutputType).build(), List.of("n"))
            .get(0).types());
  }

  // ---- the running TensorFlow's registry ----

  @Test
  void everyHeadRunsOnTheCpuThePositiveControl() {
    KernelCoverage cpu = KernelCoverage.registered("CPU");
    for (String head : heads()) {
      assertEquals(Map.of(), gaps(cpu, languageModel(head), "CPU " + head), head);
    }
  }

  @Test
  void cachedGraphsRunOnTheCpuWithTensorFlowsOwnOps() {
    KernelCoverage cpu = KernelCoverage.registered("CPU");
    cachedGraphs().forEach((what, graph) -> assertRunsOnTheCpuWithOwnOps(cpu, graph, what, what));
  }

  @Test
  void cachedGraphsHaveGpuKernelsForEveryNodeTheirSignaturesRun() {
    assumeGpuBuild();
    KernelCoverage gpu = KernelCoverage.registered("GPU");
    Map<String, Map<String, List<Gap>>> failures = new LinkedHashMap<>();
    cachedGraphs().forEach((what, graph) -> addGaps(failures, what, gaps(gpu, graph, "GPU " + what)));
    assertEquals(Map.of(), failures, "nodes of cached graphs that would run on the CPU of a GPU machine");
  }

  @Test
  void everyAttentionNormaliserRunsOnTheCpuWithTensorFlowsOwnOps() {
    assertEquals(new TreeSet<>(Normalisers.REGISTRY.names()),
        attentions().stream().map(a -> Normalisers.parse(a).name()).collect(Collectors.toCollection(TreeSet::new)),
        "a case for every registered attention normaliser");
    KernelCoverage cpu = KernelCoverage.registered("CPU");
    for (String attention : attentions()) {
      assertRunsOnTheCpuWithOwnOps(cpu, transformer(attention), "transformer " + attention, attention);
    }
  }

  @Test
  void everyHeadHasGpuKernelsForEveryNodeItsSignaturesRun() {
    assumeGpuBuild();
    KernelCoverage gpu = KernelCoverage.registered("GPU");
    Map<String, Map<String, List<Gap>>> failures = new LinkedHashMap<>();
    for (String head : heads()) {
      addGaps(failures, head, gaps(gpu, languageModel(head), "GPU " + head));
    }
    for (String attention : attentions()) {
      addGaps(failures, "transformer " + attention, gaps(gpu, transformer(attention), "GPU transformer " + attention));
    }
    addGaps(failures, "softmax, 2 layers, SGD", gaps(gpu, build("softmax", 2, Optimizer.Kind.SGD, 0, 0),
        "GPU softmax, 2 layers, SGD without clipping or dropout"));
    assertEquals(Map.of(), failures, "nodes that would run on the CPU of a GPU machine");
  }

  @Test
  void anInt32MatMulAndAnInt64AxisArgMaxHaveNoGpuKernelTheNegativeControl() {
    assumeGpuBuild();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var i = tf.withName("i").placeholder(TInt32.class, Placeholder.shape(Shape.of(2, 2)));
      var x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(2, 2)));
      tf.withName("int_matmul").linalg.matMul(i, i);
      tf.withName("float_matmul").linalg.matMul(x, x);
      tf.withName("argmax").math.argMax(x, tf.constant(1L), TInt64.class);
      GraphDef def = g.toGraphDef();
      List<String> outputs = List.of("int_matmul", "float_matmul", "argmax");
      List<Gap> gaps = KernelCoverage.registered("GPU").gaps(def, outputs);
      System.out.println("KernelCoverageTest: GPU negative control: " + gaps);
      assertEquals(List.of("int_matmul", "argmax"), gaps.stream().map(Gap::node).toList(), gaps.toString());
      assertEquals(Map.of("T", "int32"), gaps.get(0).types());
      assertEquals("int64", gaps.get(1).types().get("Tidx"));
      assertEquals(List.of(), KernelCoverage.registered("CPU").gaps(def, outputs), "the CPU runs all three");
    }
  }

  @Test
  void theCalibratedExportHasGpuKernels(@TempDir Path tmp) throws IOException {
    assumeGpuBuild();
    Path model = tmp.resolve("lm");
    LanguageModel.Config config = new LanguageModel.Config(12, 8, 8, 1, Heads.parse("softmax"), 3);
    try (LanguageModelSession s = LanguageModelSession.portable(config,
        new LanguageModelGraph.Training(Optimizer.Settings.of(Optimizer.Kind.ADAM, 1.0), 0.02, 0.1), 6, 3)) {
      s.export(model);
    }
    StringBuilder lines = new StringBuilder();
    for (int n = 0; n < 16; n++) {
      lines.append("{\"ids\": [").append(1 + n % 5).append(", ").append(2 + n % 7).append(", 3], \"label\": ")
          .append(n % 12).append("}\n");
    }
    Path data = Files.writeString(tmp.resolve("data.jsonl"), lines.toString());
    KernelCoverage gpu = KernelCoverage.registered("GPU");
    Map<String, Map<String, List<Gap>>> failures = new LinkedHashMap<>();
    for (LogitCalibration.Kind kind : LogitCalibration.Kind.values()) {
      Path out = tmp.resolve("calibrated-" + kind);
      Calibrator.calibrate(model, Signatures.NEXT_WORD, Signatures.NEXT_LOG_PROBABILITIES, data,
          out, new Calibrator.Options(kind, 8, 3, 0.05, 0.25, 8));
      try (SavedModelBundle b = SavedModelBundle.load(out.toString(), SavedModelBundle.DEFAULT_TAG)) {
        addGaps(failures, kind.toString(), gaps(gpu, Exported.of(b.graph(), b.signatures()), "GPU calibrated " + kind));
      }
    }
    assertEquals(Map.of(), failures, "nodes of the calibrated SavedModel that would run on the CPU");
  }
}
