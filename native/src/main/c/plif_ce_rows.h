/*
 * PLIF cross-entropy rows for one element type, included by plif_ce.c with REAL, SUFFIX, EXP and
 * ACC (the accumulator type of the slope gradient) defined. The table holds (s_i, C_i) pairs:
 * f(x) = s_i (x + T - i delta) + C_i (see plif_rows.h).
 */
#define BK_CAT2(a, b) a##_##b
#define BK_CAT(a, b) BK_CAT2(a, b)
#define NAME(a) BK_CAT(a, SUFFIX)

enum { NAME(PLIF_CE_BLOCK) = 256 };

#include "plif_index.h"
#include "row_max.h"

/* f(x) from the pair table; -inf stays -inf. */
static inline REAL NAME(plif_value)(REAL x, const REAL* restrict table, int32_t k, REAL t,
                                    REAL delta, REAL last) {
  REAL xt = x + t;
  int32_t i = NAME(plif_index)(xt, delta, last, k);
  return table[2 * i] * (xt - (REAL)i * delta) + table[2 * i + 1];
}

/* One (s_i, C_i) pair of the table, moved as a unit. */
typedef struct {
  REAL s;
  REAL c;
} NAME(plif_pair);

/*
 * The intervals of x[0, n) into index[] and their table pairs into pairs[]: the indices in a
 * vectorized pass, then one copy per pair (8 or 16 bytes), which costs less than the two
 * scattered loads a vectorized loop would emulate per entry.
 */
BK_HOT static void NAME(plif_lookup)(const REAL* restrict x, int64_t n, const REAL* restrict table,
                                     int32_t k, REAL t, REAL delta, int32_t* restrict index,
                                     NAME(plif_pair)* restrict pairs) {
  REAL last = (REAL)(k - 1);
#pragma omp simd
  for (int64_t j = 0; j < n; j++) {
    index[j] = NAME(plif_index)(x[j] + t, delta, last, k);
  }
  const NAME(plif_pair)* restrict p = (const NAME(plif_pair)*)table;
  for (int64_t j = 0; j < n; j++) {
    pairs[j] = p[index[j]];
  }
}

/*
 * log sum_j exp(f(x_j)) over one row; -inf for a row that is all -inf. f is increasing, so the
 * shift max f = f(max x) costs one lookup; then blocks of PLIF_CE_BLOCK entries: the lookups,
 * and a vectorized pass of exp and sum.
 */
BK_HOT static double NAME(plif_lse_row)(const REAL* restrict x, int64_t m,
                                        const REAL* restrict table, int32_t k, REAL t,
                                        REAL delta) {
  REAL mx = NAME(row_max)(x, m);
  if (mx == -(REAL)INFINITY) {
    return -INFINITY;
  }
  REAL fmax = NAME(plif_value)(mx, table, k, t, delta, (REAL)(k - 1));
  int32_t index[NAME(PLIF_CE_BLOCK)];
  NAME(plif_pair) pairs[NAME(PLIF_CE_BLOCK)];
  double s = 0;
  for (int64_t b = 0; b < m; b += NAME(PLIF_CE_BLOCK)) {
    int64_t n = m - b < NAME(PLIF_CE_BLOCK) ? m - b : NAME(PLIF_CE_BLOCK);
    const REAL* restrict xb = x + b;
    NAME(plif_lookup)(xb, n, table, k, t, delta, index, pairs);
    REAL sb = 0; /* a block's sum: <= 256 terms of at most 1, then summed in double */
#pragma omp simd reduction(+ : sb)
    for (int64_t j = 0; j < n; j++) {
      REAL f = pairs[j].s * (xb[j] + t - (REAL)index[j] * delta) + pairs[j].c;
      sb += EXP(f - fmax);
    }
    s += sb;
  }
  return (double)fmax + log(s);
}

/* Two accumulators of one interval, added in one vector operation. */
typedef ACC NAME(ce_acc_pair) __attribute__((vector_size(2 * sizeof(ACC))));

/*
 * One row's backward: with gz = g (p - onehot(y)), p = exp(f(x) - lse), dx = gz s_i, and per
 * interval i the sums acc[2i] += gz (x + T - i delta) (x + T taken as 0 where x is not finite)
 * and acc[2i + 1] += gz. Blocks of PLIF_CE_BLOCK entries: the lookups, a vectorized pass (exp,
 * dx, the summands), then the accumulation, one pair at a time. A row with lse = -inf or g = 0
 * has gz = 0: dx = 0 and nothing to accumulate.
 */
BK_HOT static void NAME(plif_ce_grad_row)(const REAL* restrict x, REAL* restrict dx, int64_t m,
                                          const REAL* restrict table, int32_t k, REAL t,
                                          REAL delta, REAL lse, REAL g, int64_t y,
                                          ACC* restrict acc) {
  if (lse == -(REAL)INFINITY || g == 0) {
#pragma omp simd
    for (int64_t j = 0; j < m; j++) {
      dx[j] = 0;
    }
    return;
  }
  int32_t index[NAME(PLIF_CE_BLOCK)];
  NAME(plif_pair) pairs[NAME(PLIF_CE_BLOCK)];
  ACC summands[2 * NAME(PLIF_CE_BLOCK)] __attribute__((aligned(2 * sizeof(ACC))));
  for (int64_t b = 0; b < m; b += NAME(PLIF_CE_BLOCK)) {
    int64_t n = m - b < NAME(PLIF_CE_BLOCK) ? m - b : NAME(PLIF_CE_BLOCK);
    const REAL* restrict xb = x + b;
    REAL* restrict db = dx + b;
    NAME(plif_lookup)(xb, n, table, k, t, delta, index, pairs);
#pragma omp simd
    for (int64_t j = 0; j < n; j++) {
      REAL xt = xb[j] + t;
      REAL start = (REAL)index[j] * delta;
      REAL gz = g * EXP(pairs[j].s * (xt - start) + pairs[j].c - lse);
      REAL finite = xb[j] - xb[j] == 0 ? xt : 0; /* x - x is NaN for +-inf and NaN */
      db[j] = gz * pairs[j].s;
      summands[2 * j] = (ACC)(gz * (finite - start));
      summands[2 * j + 1] = (ACC)gz;
    }
    const NAME(ce_acc_pair)* restrict add = (const NAME(ce_acc_pair)*)summands;
    for (int64_t j = 0; j < n; j++) {
      *(NAME(ce_acc_pair)*)(acc + 2 * (int64_t)index[j]) += add[j];
    }
  }
  /* the label's -g */
  REAL xt = x[y] + t;
  int32_t i = NAME(plif_index)(xt, delta, (REAL)(k - 1), k);
  REAL finite = x[y] - x[y] == 0 ? xt : 0;
  dx[y] -= g * table[2 * i];
  NAME(ce_acc_pair)* a = (NAME(ce_acc_pair)*)(acc + 2 * (int64_t)i);
  *a -= (NAME(ce_acc_pair)){(ACC)(g * (finite - (REAL)i * delta)), (ACC)g};
}

#undef NAME
#undef BK_CAT
#undef BK_CAT2
