package org.beyondsoftmax.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.proto.DataType;

/**
 * Per-instance custom gradients for TF-Java graphs.
 *
 * <p>TF-Java registers gradients per op type, once per process. This class registers one gradient
 * for {@code IdentityN} that dispatches on the instance attribute {@value #RULE_ATTR}: an
 * {@code IdentityN} built by {@link #apply} carries the name of a {@link Rule}, every other
 * {@code IdentityN} keeps the identity gradient. Registration happens on first use and is
 * thread-safe.
 *
 * <p>Convention: input 0 of the node is the forward value behind a {@code StopGradient}; the
 * other inputs are what the rule needs (logits, probabilities, labels, parameters). Output 0 is
 * the value to use downstream. A rule returns one gradient per input; for input 0 and for the
 * inputs that take no gradient it returns {@link #passThrough} values, which must end at a
 * {@code StopGradient}: callers put every such input behind one (otherwise TensorFlow walks back
 * into its producers, e.g. a TopKV2 that has no gradient).
 */
public final class CustomGradients {
  /** The underscore attribute naming the rule of an {@code IdentityN} instance. */
  public static final String RULE_ATTR = "_beyond_grad";

  /** A gradient rule: upstream gradients of the node's outputs to gradients of its inputs. */
  @FunctionalInterface
  public interface Rule {
    List<Operand<?>> gradients(Ops tf, GraphOperation node, List<Output<?>> upstream);
  }

  private static final Map<String, Rule> RULES = new ConcurrentHashMap<>();
  private static volatile boolean registered;

  private CustomGradients() {}

  /** Defines (or redefines with the same behaviour) the rule called {@code name}. */
  public static void define(String name, Rule rule) {
    RULES.put(name, rule);
    ensureRegistered();
  }

  /**
   * Builds an {@code IdentityN} over {@code forward} (behind a StopGradient) and {@code inputs},
   * whose gradient is the rule {@code rule}; returns its output 0, the forward value.
   *
   * @param attrs extra static values for the rule, as {@code _beyond_<key>} attributes (Long,
   *     Double or String values)
   */
  public static <T extends org.tensorflow.types.family.TType> Operand<T> apply(
      Ops tf, String rule, Operand<T> forward, List<Operand<?>> inputs, Map<String, Object> attrs) {
    if (!RULES.containsKey(rule)) {
      throw new IllegalArgumentException("rule must be one of " + RULES.keySet() + ", got " + rule);
    }
    ensureRegistered();
    List<Operand<?>> all = new ArrayList<>();
    all.add(tf.stopGradient(forward));
    for (Operand<?> in : inputs) {
      // a VariableV2 output is a reference (DT_*_REF), which IdentityN's type list rejects
      all.add(in.asOutput().dataType().getNumber() > 100 ? tf.identity(in) : in);
    }
    Output<?>[] outs = new Output<?>[all.size()];
    DataType[] types = new DataType[all.size()];
    for (int i = 0; i < outs.length; i++) {
      outs[i] = all.get(i).asOutput();
      types[i] = outs[i].dataType();
    }
    Scope scope = tf.scope();
    var builder = scope.opBuilder("IdentityN", "CustomGradient");
    builder.addInputList(outs);
    builder.setAttr("T", types);
    builder.setAttr(RULE_ATTR, rule);
    for (Map.Entry<String, Object> e : attrs.entrySet()) {
      String key = "_beyond_" + e.getKey();
      Object v = e.getValue();
      if (v instanceof Long l) {
        builder.setAttr(key, l);
      } else if (v instanceof Integer i) {
        builder.setAttr(key, (long) i);
      } else if (v instanceof Double d) {
        builder.setAttr(key, Double.toString(d)); // full precision; read by doubleAttr
      } else {
        builder.setAttr(key, v.toString());
      }
    }
    @SuppressWarnings("unchecked")
    Output<T> y = (Output<T>) builder.build().output(0);
    return y;
  }

  /** Reads a Long attribute stored by {@link #apply}. */
  public static long intAttr(GraphOperation node, String key) {
    return node.attributes().getAttrInt("_beyond_" + key);
  }

  /** Reads a Double attribute stored by {@link #apply} at full precision. */
  public static double doubleAttr(GraphOperation node, String key) {
    return Double.parseDouble(node.attributes().getAttrString("_beyond_" + key));
  }

  /** Input {@code i} of a rule's node, with the type the rule knows it has (the node's are untyped). */
  @SuppressWarnings("unchecked")
  public static <T extends org.tensorflow.types.family.TType> Operand<T> input(GraphOperation node, int i) {
    return (Operand<T>) (Operand<?>) node.input(i);
  }

  /** The upstream gradient of output {@code i} of a rule's node, with the type the rule knows it has. */
  @SuppressWarnings("unchecked")
  public static <T extends org.tensorflow.types.family.TType> Operand<T> upstream(List<Output<?>> upstream, int i) {
    return (Operand<T>) (Operand<?>) upstream.get(i);
  }

  /** The gradient to return for an input that takes none (input 0, integer inputs). */
  public static Operand<?> passThrough(GraphOperation node, int input) {
    return node.input(input);
  }

  private static void ensureRegistered() {
    if (registered) {
      return;
    }
    synchronized (CustomGradients.class) {
      if (registered) {
        return;
      }
      boolean ok = TensorFlow.registerCustomGradient("IdentityN", CustomGradients::dispatch);
      if (!ok) {
        throw new IllegalStateException(
            "a gradient for IdentityN is already registered in this process; beyond-softmax needs"
                + " to own it to dispatch per-instance gradients");
      }
      registered = true;
    }
  }

  private static List<Operand<?>> dispatch(
      Ops tf, GraphOperation node, List<Output<?>> upstream) {
    String rule;
    try {
      rule = node.attributes().getAttrString(RULE_ATTR);
    } catch (RuntimeException absent) {
      rule = null;
    }
    if (rule == null || rule.isEmpty()) {
      return new ArrayList<>(upstream); // plain IdentityN: identity gradient
    }
    Rule r = RULES.get(rule);
    if (r == null) {
      throw new IllegalStateException("no gradient rule '" + rule + "' for node " + node.name());
    }
    List<Operand<?>> grads = r.gradients(tf, node, upstream);
    if (grads.size() != node.numInputs()) {
      throw new IllegalStateException(
          "gradient rule '" + rule + "' returned " + grads.size() + " gradients for "
              + node.numInputs() + " inputs");
    }
    return grads;
  }
}
