/**
 * Layers and their parameters: {@link org.beyondsoftmax.models.nn.Parameters} (the
 * {@code VariableV2}s of a model part, seeded initial values), {@link org.beyondsoftmax.models.nn.Dense},
 * the {@link org.beyondsoftmax.models.nn.Lstm} stack, {@link org.beyondsoftmax.models.nn.Dropout} (locked
 * or per element, keyed by the training step), the Transformer's
 * {@link org.beyondsoftmax.models.nn.LayerNorm} and {@link org.beyondsoftmax.models.nn.FeedForward},
 * and the learned increasing functions of the LMS heads ({@link org.beyondsoftmax.models.nn.PlifFunction},
 * {@link org.beyondsoftmax.models.nn.MonotonicMlp}). Names differ from the ops they call
 * ({@code PlifFunction} holds the variables of {@code Mappings.plif}).
 *
 * <p>{@link org.beyondsoftmax.models.nn.SpecifiedPart} is the base of the parts built from a spec (heads,
 * attention normalisers): the spec's check, the spec and the part's variables.
 *
 * <p>May use: {@code org.beyondsoftmax.ops}, {@code org.beyondsoftmax.models.spec} and TF-Java's core API.
 */
package org.beyondsoftmax.models.nn;
