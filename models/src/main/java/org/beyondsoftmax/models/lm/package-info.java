/**
 * The word-level language model and everything it needs to train, evaluate and export:
 * {@link org.beyondsoftmax.models.lm.LanguageModel} (embedding, a
 * {@link org.beyondsoftmax.models.lm.Backbone} — LSTM or Transformer —, any head), its graph
 * ({@link org.beyondsoftmax.models.lm.LanguageModelGraph}: builds, runs nothing), its session
 * ({@link org.beyondsoftmax.models.lm.LanguageModelSession}: runs, builds nothing), the names of
 * its SavedModel ({@link org.beyondsoftmax.models.lm.Signatures}), the export of a portable
 * SavedModel ({@link org.beyondsoftmax.models.lm.SavedModelExport}), a SavedModel loaded without
 * the model's code ({@link org.beyondsoftmax.models.lm.SavedLanguageModel}), the layout of a model
 * directory ({@link org.beyondsoftmax.models.lm.ModelDirectory}) and truncated-BPTT batches.
 *
 * <p>May use: {@code models.heads}, {@code models.attention}, {@code models.nn},
 * {@code models.optim}, {@code models.spec}, {@code models.io}, {@code ops} and TF-Java's core API.
 */
package org.beyondsoftmax.models.lm;
