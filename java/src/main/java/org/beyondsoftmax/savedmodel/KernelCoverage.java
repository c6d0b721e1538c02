package org.beyondsoftmax.savedmodel;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.tensorflow.Graph;
import org.tensorflow.Signature;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.internal.c_api.global.tensorflow;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.KernelDef;
import org.tensorflow.proto.KernelList;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.OpDef;

/**
 * Which nodes of a graph have no kernel for a device type (e.g. {@code "GPU"}) in a kernel
 * registry, by default the running TensorFlow's ({@code TF_GetRegisteredKernelsForOp}): such a
 * node would run on the CPU even on a GPU machine. Only the nodes that running the given outputs
 * executes are checked: their transitive closure over data and control inputs.
 *
 * <p>Kernel choice as in TensorFlow's {@code FindKernelRegistration}: a {@link KernelDef} of the
 * device type, or of {@code "DEFAULT"} (any device), whose {@code label} equals the node's
 * {@code _kernel} attribute (empty if none) and whose every constraint allows the node's attribute
 * value (a type, or every type of a list; likewise for int, string and bool constraints). Attributes
 * the node leaves out take their {@link OpDef} defaults. A kernel with host-memory arguments is
 * still a kernel of its device.
 */
public final class KernelCoverage {
  /** The device type of TensorFlow's device-independent kernels. */
  public static final String DEFAULT_DEVICE = "DEFAULT";

  /**
   * A node without a kernel: its name, op, type attributes ({@code T -> float}, lists as
   * {@code [float, int32]}) and what kernels the device does have for the op.
   */
  public record Gap(String node, String op, Map<String, String> types, String available) {
    @Override
    public String toString() {
      return op + " " + types + " (node " + node + "); kernels of the device: " + available;
    }
  }

  private static final Map<String, KernelList> REGISTERED = new ConcurrentHashMap<>();

  private final String device;
  private final Function<String, KernelList> kernels;
  private final Function<String, OpDef> opDefs;

  /**
   * Checks against {@code kernels} (op name -&gt; its registered kernels; null or empty if none)
   * with attribute defaults from {@code opDefs} (op name -&gt; OpDef, null if unknown).
   */
  public KernelCoverage(String device, Function<String, KernelList> kernels, Function<String, OpDef> opDefs) {
    if (device == null || device.isEmpty()) {
      throw new IllegalArgumentException("device must be a device type such as CPU or GPU, got '" + device + "'");
    }
    this.device = device;
    this.kernels = kernels;
    this.opDefs = opDefs;
  }

  /** Checks against the kernels and ops registered in the running TensorFlow. */
  public static KernelCoverage registered(String device) {
    Map<String, OpDef> ops = TensorFlow.registeredOpList().getOpList().stream()
        .collect(Collectors.toMap(OpDef::getName, o -> o, (a, b) -> a));
    return new KernelCoverage(device, KernelCoverage::registeredKernels, ops::get);
  }

  /**
   * Whether the running TensorFlow has GPU kernels (its GPU build: MatMul has one), whether or
   * not this machine has a GPU.
   */
  public static boolean gpuKernelsRegistered() {
    return registeredKernels("MatMul").getKernelList().stream().anyMatch(k -> k.getDeviceType().equals("GPU"));
  }

  /** The kernels the running TensorFlow registers for {@code op} (an empty list for an unknown op). */
  public static KernelList registeredKernels(String op) {
    return REGISTERED.computeIfAbsent(op, KernelCoverage::queryKernels);
  }

  private static KernelList queryKernels(String op) {
    TensorFlow.version(); // loads the native library
    TF_Status status = TF_Status.newStatus();
    try {
      TF_Buffer buffer = tensorflow.TF_GetRegisteredKernelsForOp(op, status);
      status.throwExceptionIfNotOK();
      try {
        return KernelList.parseFrom(buffer.dataAsByteBuffer());
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("TensorFlow returned an unreadable KernelList for " + op, e);
      } finally {
        tensorflow.TF_DeleteBuffer(buffer);
      }
    } finally {
      status.delete();
    }
  }

  /** The tensor names of the outputs of {@code signatures}, e.g. {@code top_ids:0}. */
  public static List<String> outputs(Collection<Signature> signatures) {
    List<String> names = new ArrayList<>();
    for (Signature s : signatures) {
      s.getOutputs().values().forEach(d -> names.add(d.name));
    }
    return names;
  }

  /** The nodes of {@code graph} without a kernel on this device that running {@code outputs} executes. */
  public List<Gap> gaps(Graph graph, Collection<String> outputs) {
    return gaps(graph.toGraphDef(), outputs);
  }

  /**
   * The nodes of {@code graph} without a kernel on this device that running {@code outputs}
   * executes, in graph order.
   *
   * @param outputs node or tensor names ({@code name}, {@code name:1}, {@code ^name})
   * @throws IllegalArgumentException if an output is not in the graph, or a node to run calls a
   *     function (a library function, or an op with a function attribute such as While): its body
   *     is not checked
   */
  public List<Gap> gaps(GraphDef graph, Collection<String> outputs) {
    List<Gap> gaps = new ArrayList<>();
    for (NodeDef node : reachable(graph, outputs)) {
      if (!hasKernel(node)) {
        gaps.add(new Gap(node.getName(), node.getOp(), typeAttrs(node), available(node.getOp())));
      }
    }
    return gaps;
  }

  /**
   * The nodes that running {@code outputs} executes: the outputs' nodes and, transitively, the
   * nodes of their data and control inputs, in graph order.
   */
  public static List<NodeDef> reachable(GraphDef graph, Collection<String> outputs) {
    Map<String, NodeDef> byName = new HashMap<>();
    graph.getNodeList().forEach(n -> byName.put(n.getName(), n));
    Set<String> functions = graph.getLibrary().getFunctionList().stream().map(f -> f.getSignature().getName())
        .collect(Collectors.toSet());
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    for (String o : outputs) {
      String name = nodeName(o);
      if (!byName.containsKey(name)) {
        throw new IllegalArgumentException("output '" + o + "' is not a node of the graph");
      }
      todo.add(name);
    }
    while (!todo.isEmpty()) {
      String name = todo.pop();
      if (!seen.add(name)) {
        continue;
      }
      NodeDef node = byName.get(name);
      if (node == null) {
        throw new IllegalArgumentException("input '" + name + "' is not a node of the graph");
      }
      boolean calls = functions.contains(node.getOp()) || node.getAttrMap().values().stream()
          .anyMatch(v -> v.hasFunc() || v.getList().getFuncCount() > 0);
      if (calls) {
        throw new IllegalArgumentException("node " + name + " (" + node.getOp() + ") calls a function, whose body "
            + "this check does not cover");
      }
      node.getInputList().forEach(i -> todo.add(nodeName(i)));
    }
    return graph.getNodeList().stream().filter(n -> seen.contains(n.getName())).toList();
  }

  private static String nodeName(String input) {
    String s = input.startsWith("^") ? input.substring(1) : input;
    int colon = s.indexOf(':');
    return colon < 0 ? s : s.substring(0, colon);
  }

  /** Whether {@code node} has a kernel on this device (or a DEFAULT one). */
  public boolean hasKernel(NodeDef node) {
    Map<String, AttrValue> attrs = withDefaults(node);
    String label = attrs.containsKey("_kernel") ? attrs.get("_kernel").getS().toStringUtf8() : "";
    for (KernelDef k : kernelsOf(node.getOp())) {
      boolean device = k.getDeviceType().equals(this.device) || k.getDeviceType().equals(DEFAULT_DEVICE);
      if (device && k.getLabel().equals(label) && matches(k, attrs)) {
        return true;
      }
    }
    return false;
  }

  /** Whether every constraint of {@code kernel} allows the value of its attribute in {@code attrs}. */
  public static boolean matches(KernelDef kernel, Map<String, AttrValue> attrs) {
    for (KernelDef.AttrConstraint c : kernel.getConstraintList()) {
      AttrValue value = attrs.get(c.getName());
      if (value == null || !allowed(value, c.getAllowedValues().getList())) {
        return false;
      }
    }
    return true;
  }

  private static boolean allowed(AttrValue value, AttrValue.ListValue allowed) {
    AttrValue.ListValue list = value.getList();
    return switch (value.getValueCase()) {
      case TYPE -> allowed.getTypeList().contains(value.getType());
      case I -> allowed.getIList().contains(value.getI());
      case S -> allowed.getSList().contains(value.getS());
      case B -> allowed.getBList().contains(value.getB());
      case LIST -> allowed.getTypeList().containsAll(list.getTypeList())
          && allowed.getIList().containsAll(list.getIList()) && allowed.getSList().containsAll(list.getSList())
          && allowed.getBList().containsAll(list.getBList());
      default -> false;
    };
  }

  private List<KernelDef> kernelsOf(String op) {
    KernelList list = kernels.apply(op);
    return list == null ? List.of() : list.getKernelList();
  }

  private Map<String, AttrValue> withDefaults(NodeDef node) {
    Map<String, AttrValue> attrs = new HashMap<>(node.getAttrMap());
    OpDef def = opDefs.apply(node.getOp());
    if (def != null) {
      for (OpDef.AttrDef a : def.getAttrList()) {
        if (a.hasDefaultValue()) {
          attrs.putIfAbsent(a.getName(), a.getDefaultValue());
        }
      }
    }
    return attrs;
  }

  /** The node's type and list(type) attributes, by name. */
  private Map<String, String> typeAttrs(NodeDef node) {
    Map<String, String> types = new TreeMap<>();
    withDefaults(node).forEach((name, v) -> {
      if (v.getValueCase() == AttrValue.ValueCase.TYPE) {
        types.put(name, typeName(v.getType()));
      } else if (v.getValueCase() == AttrValue.ValueCase.LIST && v.getList().getTypeCount() > 0) {
        types.put(name, v.getList().getTypeList().stream().map(KernelCoverage::typeName).toList().toString());
      }
    });
    return types;
  }

  /**
   * This device's kernels for {@code op} in short: how many, and per constrained attribute the
   * types any of them allows (e.g. {@code 6 kernels, T: [float, double, ...]}), or "none".
   */
  private String available(String op) {
    int count = 0;
    Set<String> labels = new TreeSet<>();
    Map<String, Set<DataType>> types = new TreeMap<>();
    for (KernelDef k : kernelsOf(op)) {
      if (k.getDeviceType().equals(device) || k.getDeviceType().equals(DEFAULT_DEVICE)) {
        count++;
        if (!k.getLabel().isEmpty()) {
          labels.add(k.getLabel());
        }
        for (KernelDef.AttrConstraint c : k.getConstraintList()) {
          types.computeIfAbsent(c.getName(), n -> new TreeSet<>()).addAll(c.getAllowedValues().getList().getTypeList());
        }
      }
    }
    if (count == 0) {
      return "none";
    }
    StringBuilder b = new StringBuilder(count + (count == 1 ? " kernel" : " kernels"));
    types.forEach((name, t) -> b.append(", ").append(name).append(": ")
        .append(t.stream().map(KernelCoverage::typeName).toList()));
    if (!labels.isEmpty()) {
      b.append(", labels ").append(labels);
    }
    return b.toString();
  }

  /** DT_FLOAT -&gt; float, DT_INT32 -&gt; int32. */
  static String typeName(DataType t) {
    return t.name().startsWith("DT_") ? t.name().substring(3).toLowerCase() : t.name();
  }
}
