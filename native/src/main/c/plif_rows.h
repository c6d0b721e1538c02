/*
 * PLIF loops for one element type, included by plif.c with REAL (float or double), SUFFIX and
 * ACC (the accumulator type of the slope gradient) defined.
 *
 * The forward table holds (s_i, C_i) pairs, s = softplus(v) and C_i = delta sum_{j<i} s_j, so
 * that f(x) = s_i (x + T - i delta) + C_i with i = clamp(floor((x + T)/delta), 0, K - 1); the
 * backward pass reads s alone (a smaller random-access footprint next to the accumulators). The
 * accumulators (2K per thread, from calloc) are aligned for their pairs.
 */
#define BK_CAT2(a, b) a##_##b
#define BK_CAT(a, b) BK_CAT2(a, b)
#define NAME(a) BK_CAT(a, SUFFIX)

enum { NAME(PLIF_BLOCK) = 256 };

#include "plif_index.h"

/* f over x[0, n); the table lookups vectorize as gathers. */
BK_HOT void NAME(bk_plif_forward)(const REAL* restrict x, REAL* restrict y, int64_t n,
                                  const REAL* restrict table, int32_t k, REAL t, REAL delta) {
  REAL last = (REAL)(k - 1);
#pragma omp simd
  for (int64_t i = 0; i < n; i++) {
    REAL xt = x[i] + t;
    int32_t j = NAME(plif_index)(xt, delta, last, k);
    y[i] = table[2 * j] * (xt - (REAL)j * delta) + table[2 * j + 1];
  }
}

/* Two accumulators of one interval, added in one vector operation. */
typedef ACC NAME(acc_pair) __attribute__((vector_size(2 * sizeof(ACC))));

/*
 * dx = dy s_i, and per interval i the sums acc[2i] += dy (x + T - i delta) (x + T taken as 0
 * where x is not finite, as the composite op does) and acc[2i + 1] += dy. Over blocks of
 * PLIF_BLOCK entries: a vectorized pass (indices, dx, the summands), then the accumulation, a
 * scatter, one pair at a time.
 */
BK_HOT void NAME(bk_plif_backward)(const REAL* restrict dy, const REAL* restrict x,
                                   REAL* restrict dx, int64_t n, const REAL* restrict slope,
                                   int32_t k, REAL t, REAL delta, ACC* restrict acc) {
  REAL last = (REAL)(k - 1);
  int32_t index[NAME(PLIF_BLOCK)];
  REAL own[NAME(PLIF_BLOCK)];
  for (int64_t b = 0; b < n; b += NAME(PLIF_BLOCK)) {
    int64_t m = n - b < NAME(PLIF_BLOCK) ? n - b : NAME(PLIF_BLOCK);
    const REAL* restrict xb = x + b;
    const REAL* restrict gb = dy + b;
    REAL* restrict db = dx + b;
#pragma omp simd
    for (int64_t i = 0; i < m; i++) {
      REAL xt = xb[i] + t;
      int32_t j = NAME(plif_index)(xt, delta, last, k);
      index[i] = j;
      db[i] = gb[i] * slope[j];
      REAL finite = xb[i] - xb[i] == 0 ? xt : 0; /* x - x is NaN for +-inf and NaN */
      own[i] = gb[i] * (finite - (REAL)j * delta);
    }
    for (int64_t i = 0; i < m; i++) {
      NAME(acc_pair)* a = (NAME(acc_pair)*)(acc + 2 * (int64_t)index[i]);
      *a += (NAME(acc_pair)){(ACC)own[i], (ACC)gb[i]};
    }
  }
}

#undef NAME
#undef BK_CAT
#undef BK_CAT2
