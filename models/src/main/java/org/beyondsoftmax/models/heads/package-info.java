/**
 * Trainable output heads: hidden states h [N, d] to distributions over M classes, with their
 * variables ({@code VariableV2}, which TF-Java 1.1.0's SavedModel exporter saves).
 *
 * <p>Every head implements {@link org.beyondsoftmax.models.heads.OutputHead}, is named
 * {@code <Name>Head} and declares its kind once, as {@code KIND} beside its class (name,
 * description, options with defaults and ranges, factory); {@link org.beyondsoftmax.models.heads.Heads}
 * registers them all and builds heads from spec text:
 *
 * <pre>{@code
 * Ops tf = Ops.create(graph);
 * Spec<HeadFactory> spec = Heads.parse("plif:knots=1000,range=20"); // once, at the edge
 * OutputHead<TFloat32> head = Heads.create(spec, new HeadConfig<>(tf, TFloat32.class, d, classes, seed));
 * Operand<TFloat32> loss = tf.math.mean(head.loss(h, labels), tf.constant(0));
 * Op step = Optimizer.minimize(tf, loss, head.parameters(), 1e-3, Optimizer.Settings.adam()).update();
 * Operand<TFloat32> logp = head.logProbabilities(h); // inference
 * }</pre>
 *
 * <p>Heads with full support ({@code softmax}, {@code sigsoftmax}, {@code mos},
 * {@code mos-sigsoftmax}, {@code mos-plif}, {@code plif}, {@code mlp}, {@code taylor},
 * {@code amsoftmax}) train with cross-entropy (AM-softmax with its margin); sparse heads
 * ({@code sparsemax}, {@code entmax}, {@code topk}) with their own losses. All loss maths lives
 * in {@code ops} ({@code Losses}); a head adds its variables, their initial values and the
 * choice of loss.
 *
 * <p>May use: {@code models.spec}, {@code models.nn}, {@code ops} and TF-Java's core API.
 */
package org.beyondsoftmax.models.heads;
