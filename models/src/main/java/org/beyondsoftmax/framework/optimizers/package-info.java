/**
 * The framework's optimizers with slots, fixed for variables in name scopes:
 * {@link org.beyondsoftmax.framework.optimizers.Momentum} and
 * {@link org.beyondsoftmax.framework.optimizers.RMSProp} are the framework's {@code Momentum} and
 * {@code RMSProp} (their updates, defaults and constructors) whose slot variables are named so
 * that TensorFlow accepts them.
 *
 * <p>Why: TF-Java 1.1.0's optimizers name a slot {@code <variable name>-<slot>} through
 * {@code Ops.withName}, which refuses a '/' (tensorflow/java#413), so every variable created in a
 * sub-scope, as every head's ({@code softmax/class_weights}), makes the framework's
 * {@code Momentum}, {@code RMSProp}, {@code Adam}, ... fail in {@code minimize} with "invalid
 * name". {@code GradientDescent} has no slots and needs no fix. A subclass here overrides the
 * two slot methods ({@code createSlot}, {@code getSlot}) and nothing else.
 *
 * <p>With any framework optimizer: build metrics after {@code minimize}; it differentiates the
 * loss with respect to every {@code VariableV2} of the graph and fails on one the loss does not
 * reach ("unreachable from the output node(s)").
 *
 * <p>May use: TF-Java ({@code tensorflow-core-api}, {@code tensorflow-framework}).
 */
package org.beyondsoftmax.framework.optimizers;
