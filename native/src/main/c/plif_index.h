/*
 * The PLIF interval of an element, for one element type: included by the PLIF loop headers with
 * REAL and NAME defined (no include guard: once per element type).
 */

/* The interval of each x, from xt = x + T; NaN goes to 0 (never an out-of-range index). */
static inline int32_t NAME(plif_index)(REAL xt, REAL delta, REAL last, int32_t k) {
  REAL q = xt / delta;
  q = q >= 0 ? q : 0; /* also NaN and -inf */
  q = q <= last ? q : last;
  int32_t i = (int32_t)q;
  i = i < k ? i : k - 1; /* defensive: K <= 2^24 keeps last exact in float */
  return i;
}
