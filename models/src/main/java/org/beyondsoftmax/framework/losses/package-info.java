/**
 * Our losses as TF-Java framework losses ({@link org.tensorflow.framework.losses.Loss}): each a
 * {@link org.beyondsoftmax.framework.losses.LogitsLoss} over one function of
 * {@code org.beyondsoftmax.ops.Losses} (or a mapping of {@code Mappings} followed by the
 * cross-entropy), with exact gradients that the framework's optimizers use.
 *
 * <ul>
 *   <li>{@link org.beyondsoftmax.framework.losses.SparseCrossEntropy}: softmax cross-entropy, the
 *       trainable replacement of the framework's {@code SparseCategoricalCrossentropy(fromLogits
 *       = true)} (TF-Java has no gradient for {@code SparseSoftmaxCrossEntropyWithLogits});
 *   <li>{@link org.beyondsoftmax.framework.losses.SparsemaxLoss},
 *       {@link org.beyondsoftmax.framework.losses.Entmax15Loss},
 *       {@link org.beyondsoftmax.framework.losses.EntmaxBisectLoss}: the Fenchel-Young losses of
 *       the sparse mappings;
 *   <li>{@link org.beyondsoftmax.framework.losses.SigsoftmaxCrossEntropy},
 *       {@link org.beyondsoftmax.framework.losses.TaylorCrossEntropy},
 *       {@link org.beyondsoftmax.framework.losses.TopKSoftmaxLoss},
 *       {@link org.beyondsoftmax.framework.losses.AmSoftmaxLoss},
 *       {@link org.beyondsoftmax.framework.losses.PlifCrossEntropy}.
 * </ul>
 *
 * <p>As the framework's losses: {@code call(tf, labels, predictions, sampleWeights)} with
 * {@code sampleWeights} optional (null), the framework's
 * {@link org.tensorflow.framework.losses.Reduction} (AUTO and SUM_OVER_BATCH_SIZE: the weighted
 * sum over the number of per-example values; SUM; NONE: the weighted per-example values) and a
 * no-argument constructor (AUTO, class axis -1). Unlike the framework's sparse losses,
 * <b>predictions are logits</b> (cosines for AM-softmax) and <b>labels are class ids</b> (int32 or
 * int64, shaped like the predictions without the class axis, or with a trailing 1). Wrong dtypes
 * and shapes throw {@link java.lang.IllegalArgumentException} naming the argument when the graph
 * is built.
 *
 * <pre>{@code
 * Loss loss = new SparsemaxLoss();
 * Operand<TFloat32> l = loss.call(tf, labels, logits, null);     // mean over the batch
 * Op step = new GradientDescent(graph, 0.1f).minimize(l);
 * }</pre>
 *
 * <p>The trap these losses refuse: the probabilities of a sparse activation (sparsemax, entmax)
 * fed to a cross-entropy. With the framework's {@code CategoricalCrossentropy} (from
 * probabilities) a label of probability 0 is clipped to 1e-7: the loss is finite (about 16.1) and
 * its gradient on the label is zero, so training never moves mass to it. Given the output of one
 * of our activations (or of TensorFlow's {@code Softmax} op) where they take logits, these losses
 * throw an {@link java.lang.IllegalArgumentException} that says so.
 *
 * <p>May use: {@code org.beyondsoftmax.ops}, {@code org.beyondsoftmax.framework}, TF-Java.
 */
package org.beyondsoftmax.framework.losses;
