package org.beyondsoftmax.ops;

/** How sparsemax and entmax-1.5 find their threshold. */
public enum SortStrategy {
  /**
   * Default: a partial sort (top-k) of the entries that can be in the support, k bounded by the
   * data (see the class comment of the thresholds), then an exact refinement on the full row; or,
   * where {@link Kernels} allows, the fused CPU kernel's exact selection.
   */
  BOUNDED_TOP_K,
  /** Sort every row completely (the textbook algorithm; for comparison and tests; never fused). */
  FULL_SORT
}
