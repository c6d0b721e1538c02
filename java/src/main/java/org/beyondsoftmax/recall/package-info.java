/**
 * {@code beyond recall}: synthetic associative recall (key-value pairs, then a query key; answer
 * its value) with a small causal Transformer per attention normaliser, trained at one length and
 * tested at longer ones. Data ({@link org.beyondsoftmax.recall.RecallTask}), graph
 * ({@link org.beyondsoftmax.recall.RecallGraph}) and the session that trains and tests it
 * ({@link org.beyondsoftmax.recall.RecallExperiment}) are apart. Uses {@code models} (attention,
 * heads, optim), {@code plots} and {@code json}.
 */
package org.beyondsoftmax.recall;
