/**
 * Attention with any normaliser: the normalisers as trainable parts
 * ({@link org.beyondsoftmax.models.attention.AttentionNormaliser}; each kind is declared once,
 * beside its class: {@code EntmaxAttention.KIND}, {@code ScalableSoftmaxAttention.KIND} and the
 * four option-free kinds of {@code ParameterFreeAttention}; a normaliser owns its per-head
 * variables, e.g. alpha of {@code entmax:learn-alpha=true}, s of {@code ssmax:learn-s=true}), their registry
 * {@link org.beyondsoftmax.models.attention.Normalisers} (spec text to a typed spec, once, at the
 * edge), causal {@link org.beyondsoftmax.models.attention.MultiHeadAttention} and the
 * pre-LayerNorm {@link org.beyondsoftmax.models.attention.Transformer} stack with learned
 * positions. The maths of the normalisers lives in {@code ops} ({@code AttentionNormalisers}).
 *
 * <pre>{@code
 * Spec<AttentionFactory> spec = Normalisers.parse("entmax:alpha=1.5,learn-alpha=true"); // at the edge
 * Transformer<TFloat32> t = new Transformer<>(params, 64, 2, 4, 35, spec);
 * Operand<TFloat32> y = t.apply(tf, embeddings, weights, dropout); // [B, T, 64]
 * }</pre>
 *
 * <p>May use: {@code models.spec}, {@code models.nn}, {@code ops} and TF-Java's core API.
 */
package org.beyondsoftmax.models.attention;
