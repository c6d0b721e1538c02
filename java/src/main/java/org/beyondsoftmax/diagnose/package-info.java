/**
 * {@code beyond diagnose}: where the softmax bottleneck shows in a trained language model. Per
 * attention layer and head: entropy, support, selectivity (top-k mass) and the normaliser's learned
 * values; for the output layer: the class embeddings' spectrum and effective rank, the numerical
 * rank of log-probabilities, the anisotropy of the last hidden states (Godey et al. 2024). The
 * graph ({@link org.beyondsoftmax.diagnose.DiagnosticGraph}) is built apart from the session that
 * runs it ({@link org.beyondsoftmax.diagnose.Diagnosis}). Uses {@code models}, {@code corpus},
 * {@code train} (the model directory's settings), {@code bottleneck.SingularValues}, {@code plots}
 * and {@code json}.
 */
package org.beyondsoftmax.diagnose;
