/**
 * Trainable output heads: hidden states h [N, d] to distributions over M classes, with their
 * variables ({@code VariableV2}, which TF-Java 1.1.0's SavedModel exporter saves).
 *
 * <p>Every head implements {@link org.beyondsoftmax.models.OutputHead} and is built from a
 * {@link org.beyondsoftmax.models.HeadConfig} (graph, dtype, d, M, seed), either directly or by
 * name with options through {@link org.beyondsoftmax.models.Heads} (the syntax of
 * {@link org.beyondsoftmax.models.HeadSpec}, shared with the command line):
 *
 * <pre>{@code
 * Ops tf = Ops.create(graph);
 * OutputHead<TFloat32> head = Heads.create("plif:knots=1000,range=20",
 *     new HeadConfig<>(tf, TFloat32.class, d, classes, seed));
 * Operand<TFloat32> loss = tf.math.mean(head.loss(h, labels), tf.constant(0));
 * Op step = Adam.minimize(tf, loss, head.parameters(), Adam.Settings.of(1e-3));
 * Operand<TFloat32> logp = head.logProbabilities(h); // inference
 * }</pre>
 *
 * <p>Heads with full support ({@code softmax}, {@code sigsoftmax}, {@code mos},
 * {@code mos-sigsoftmax}, {@code mos-plif}, {@code plif}, {@code mlp}, {@code taylor},
 * {@code amsoftmax}) train with cross-entropy (AM-softmax with its margin); sparse heads
 * ({@code sparsemax}, {@code entmax}, {@code topk}) with their own losses. The math lives in the
 * {@code ops} module; this package adds the variables, their initial values and the plumbing.
 */
package org.beyondsoftmax.models;
