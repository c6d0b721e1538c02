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
      Operation grad = tf.scope().opBuilder("BeyondPlifGrad", "PlifGrad")
          .addInput(up.get(0))
          .addInput(op.input(0))
          .addInput(op.input(1))
          .setAttr("range", op.attributes().getAttrString("range"))
          .build();
      return List.of(grad.output(0), grad.output(1));
    });
    // softmax family: dx = BeyondSoftmaxGrad(dy, x, lse); lse (output 1) takes no gradient
    put("BeyondSoftmax", (tf, op, up) -> List.of(
        tf.scope().opBuilder("BeyondSoftmaxGrad", "SoftmaxGrad")
            .addInput(up.get(0))
            .addInput(op.input(0))
            .addInput(op.output(1))
            .setAttr("mode", op.attributes().getAttrString("mode"))
            .build()
            .output(0)));
    // thresholds are piecewise constant in x where defined: zero (callers stop x's gradient)
    put("BeyondSparseThreshold", (tf, op, up) -> List.of(tf.zerosLike(op.input(0))));
    // Fenchel-Young losses: dx = dloss (p - onehot(y)); labels (behind a StopGradient) pass through
    put("BeyondFenchelYoungLoss", (tf, op, up) -> List.of(
        tf.scope().opBuilder("BeyondFenchelYoungLossGrad", "FenchelYoungLossGrad")
            .addInput(up.get(0))
            .addInput(op.input(0))
            .addInput(op.output(1))
            .addInput(op.input(1))
            .setAttr("mapping", op.attributes().getAttrString("mapping"))
            .build()
            .output(0),
        op.input(1)));
    // sigsoftmax cross-entropy: dx = BeyondSigsoftmaxCrossEntropyGrad(dloss, x, lse, labels)
    put("BeyondSigsoftmaxCrossEntropy", (tf, op, up) -> List.of(
        tf.scope().opBuilder("BeyondSigsoftmaxCrossEntropyGrad", "SigsoftmaxCrossEntropyGrad")
            .addInput(up.get(0))
            .addInput(op.input(0))
            .addInput(op.output(1))
            .addInput(op.input(1))
            .build()
            .output(0),
        op.input(1)));
    // PLIF cross-entropy: (dx, dslopes_raw) = BeyondPlifCrossEntropyGrad(dloss, x, slopes_raw,
    // lse, labels)
    put("BeyondPlifCrossEntropy", (tf, op, up) -> {
      Operation grad = tf.scope().opBuilder("BeyondPlifCrossEntropyGrad", "PlifCrossEntropyGrad")
          .addInput(up.get(0))
          .addInput(op.input(0))
          .addInput(op.input(2))
          .addInput(op.output(1))
          .addInput(op.input(1))
          .setAttr("range", op.attributes().getAttrString("range"))
          .build();
      return List.of(grad.output(0), op.input(1), grad.output(1));
    });
    // alpha-entmax: (dx, dalpha) = BeyondEntmaxBisectGrad(dy, p, alpha)
    put("BeyondEntmaxBisect", (tf, op, up) -> {
      Operation grad = tf.scope().opBuilder("BeyondEntmaxBisectGrad", "EntmaxBisectGrad")
          .addInput(up.get(0))
          .addInput(op.output(0))
          .addInput(op.input(1))
          .build();
      return List.of(grad.output(0), grad.output(1));
    });
    // its loss: (dx, dalpha) = BeyondEntmaxBisectLossGrad(dloss, x, tau, labels, alpha)
    put("BeyondEntmaxBisectLoss", (tf, op, up) -> {
      Operation grad = tf.scope().opBuilder("BeyondEntmaxBisectLossGrad", "EntmaxBisectLossGrad")
          .addInput(up.get(0))
          .addInput(op.input(0))
          .addInput(op.output(1))
          .addInput(op.input(1))
          .addInput(op.input(2))
          .build();
      return List.of(grad.output(0), op.input(1), grad.output(1));
    });
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
