package org.beyondsoftmax.ops;

import org.tensorflow.Operand;

/**
 * A sparse mapping's threshold for each row, in the units of its sorted candidates: the mapping
 * is p = P(scale (x - shift) - tau) for a pointwise P (max(., 0) for sparsemax, its square for
 * 1.5-entmax).
 *
 * @param top the sorted candidates scale (x - shift), [.., k]
 * @param tau the threshold, [.., 1]
 * @param shift the finite row maximum, [.., 1]
 */
record Threshold<T extends org.tensorflow.types.family.TType>(Operand<T> top, Operand<T> tau, Operand<T> shift) {}
