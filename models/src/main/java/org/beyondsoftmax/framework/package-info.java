/**
 * Adapters of beyond-softmax to TF-Java's {@code tensorflow-framework}: activations
 * ({@link org.beyondsoftmax.framework.activations}), losses
 * ({@link org.beyondsoftmax.framework.losses}) and metrics
 * ({@link org.beyondsoftmax.framework.metrics}) that drop into code written against
 * {@code org.tensorflow.framework}, and train with its optimizers through {@code minimize}
 * ({@code GradientDescent}; {@code Momentum} and {@code RMSProp} as fixed in
 * {@link org.beyondsoftmax.framework.optimizers} for variables in name scopes, as heads have).
 *
 * <p>Each adapter is a thin class over the graph functions of {@code org.beyondsoftmax.ops}
 * ({@code Mappings}, {@code Losses}) with the framework's conventions: a no-argument constructor
 * (class axis -1, the framework's defaults), a configuration map ({@code getConfig()} and a
 * constructor taking one), argument checks that name the framework's parameters
 * ({@code input}, {@code labels}, {@code predictions}, {@code sampleWeights}) and throw
 * {@link java.lang.IllegalArgumentException} when the graph is built. This package holds what the
 * three families share: {@link org.beyondsoftmax.framework.Arguments} (those checks),
 * {@link org.beyondsoftmax.framework.Config} (configuration maps) and
 * {@link org.beyondsoftmax.framework.MappingOutputs} (which tensors are probabilities of our
 * activations). Graph mode only, as the ops' gradients.
 *
 * <p>May use: {@code org.beyondsoftmax.ops}, TF-Java ({@code tensorflow-core-api},
 * {@code tensorflow-framework}); nothing else of {@code models}.
 */
package org.beyondsoftmax.framework;
