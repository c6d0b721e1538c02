package org.beyondsoftmax.kernels;

import java.util.List;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.Output;
import org.tensorflow.TensorFlow;
import org.tensorflow.op.Ops;

/**
 * The gradients of the library's forward op types, registered with TensorFlow by op type (once
 * per process). Each builds the matching backward kernel; static values (range, mode, mapping)
 * are read from the forward node's attributes, never from shapes.
 */
final class Gradients {
  private Gradients() {}

  static void register() {
    // PLIF: (dx, dslopes_raw) = BeyondPlifGrad(dy, x, slopes_raw)
    put("BeyondPlif", (tf, op, up) -> {
      Operation grad = backward(tf, op, up, List.of(op.input(0), op.input(1)), "range");
      return List.of(grad.output(0), grad.output(1));
    });
    // softmax family: dx = BeyondSoftmaxGrad(dy, x, lse); lse (output 1) takes no gradient
    put("BeyondSoftmax", (tf, op, up) -> List.of(
        backward(tf, op, up, List.of(op.input(0), op.output(1)), "mode").output(0)));
    // thresholds are piecewise constant in x where defined: zero (callers stop x's gradient)
    put("BeyondSparseThreshold", (tf, op, up) -> List.of(tf.zerosLike(op.input(0))));
    // Fenchel-Young losses: dx = dloss (p - onehot(y)); labels (behind a StopGradient) pass through
    put("BeyondFenchelYoungLoss", (tf, op, up) -> List.of(
        backward(tf, op, up, List.of(op.input(0), op.output(1), op.input(1)), "mapping").output(0),
        op.input(1)));
    // sigsoftmax cross-entropy: dx = BeyondSigsoftmaxCrossEntropyGrad(dloss, x, lse, labels)
    put("BeyondSigsoftmaxCrossEntropy", (tf, op, up) -> List.of(
        backward(tf, op, up, List.of(op.input(0), op.output(1), op.input(1))).output(0),
        op.input(1)));
    // PLIF cross-entropy: (dx, dslopes_raw) = BeyondPlifCrossEntropyGrad(dloss, x, slopes_raw,
    // lse, labels)
    put("BeyondPlifCrossEntropy", (tf, op, up) -> {
      Operation grad = backward(tf, op, up,
          List.of(op.input(0), op.input(2), op.output(1), op.input(1)), "range");
      return List.of(grad.output(0), op.input(1), grad.output(1));
    });
    // alpha-entmax: (dx, dalpha) = BeyondEntmaxBisectGrad(dy, p, alpha)
    put("BeyondEntmaxBisect", (tf, op, up) -> {
      Operation grad = backward(tf, op, up, List.of(op.output(0), op.input(1)));
      return List.of(grad.output(0), grad.output(1));
    });
    // its loss: (dx, dalpha) = BeyondEntmaxBisectLossGrad(dloss, x, tau, labels, alpha)
    put("BeyondEntmaxBisectLoss", (tf, op, up) -> {
      Operation grad = backward(tf, op, up,
          List.of(op.input(0), op.output(1), op.input(1), op.input(2)));
      return List.of(grad.output(0), op.input(1), grad.output(1));
    });
  }

  /**
   * The backward op of the forward op {@code op} (type {@code <op type>Grad}, named without the
   * "Beyond" prefix): the upstream gradient of output 0, then {@code inputs}; the forward op's
   * string attributes named {@code attrs} are copied.
   */
  private static Operation backward(
      Ops tf, GraphOperation op, List<Output<?>> up, List<Output<?>> inputs, String... attrs) {
    String type = op.type() + "Grad";
    var builder = tf.scope().opBuilder(type, type.substring("Beyond".length()))
        .addInput(up.get(0));
    for (Output<?> input : inputs) {
      builder.addInput(input);
    }
    for (String attr : attrs) {
      builder.setAttr(attr, op.attributes().getAttrString(attr));
    }
    return builder.build();
  }

  private interface Rule {
    List<Operand<?>> apply(Ops tf, GraphOperation op, List<Output<?>> upstream);
  }

  private static void put(String opType, Rule rule) {
    if (!TensorFlow.registerCustomGradient(opType, rule::apply)) {
      throw new IllegalStateException("a gradient for " + opType + " is already registered");
    }
  }
}
