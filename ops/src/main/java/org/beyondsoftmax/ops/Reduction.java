package org.beyondsoftmax.ops;

/** How a loss combines its per-example values (after sample weights and ignored labels). */
public enum Reduction {
  /** One loss per example, shaped like the labels; ignored examples give 0. */
  NONE,
  /** sum_i w_i l_i over the examples that are not ignored. */
  SUM,
  /** sum_i w_i l_i / sum_i w_i over the examples that are not ignored (0 when there are none). */
  MEAN
}
