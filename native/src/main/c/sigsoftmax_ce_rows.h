/*
 * Sigsoftmax cross-entropy rows for one element type, included by sigsoftmax_ce.c with REAL,
 * SUFFIX, EXP, LOG1P01 and the fast-path bounds FAST_LO/FAST_HI defined.
 *
 * u = x + log sigmoid(x). Fast path (rows whose maximum, or whose lse, lies in
 * [FAST_LO, FAST_HI]): with b = exp(x), sigmoid(x) = b/(1 + b) and exp(u - c) =
 * (b exp(-c)) sigmoid(x): one exp and one division per entry, which also give the backward's
 * du/dx = 2 - sigmoid(x). b cannot overflow there (x <= FAST_HI), and the entries it flushes to 0
 * lie below 1e-20 of the largest. Other rows take u = x + min(x, 0) - log1p(exp(-|x|)) and
 * exp(u - c).
 */
#define BK_CAT2(a, b) a##_##b
#define BK_CAT(a, b) BK_CAT2(a, b)
#define NAME(a) BK_CAT(a, SUFFIX)

#include "row_max.h"

/* log sum_j exp(u_j) over one row; -inf for a row that is all -inf (or empty). */
BK_HOT static double NAME(sig_lse_row)(const REAL* restrict x, int64_t m) {
  REAL mx = NAME(row_max)(x, m);
  if (mx == -(REAL)INFINITY) {
    return -INFINITY;
  }
  double mu = bk_log_sigmoid_shift((double)mx); /* u is increasing in x: max u = u(max x) */
  double s = 0; /* sums in double: float32 rows of 10^5 entries keep 1e-7 */
  if (mx >= FAST_LO && mx <= FAST_HI) {
    REAL c = (REAL)exp(-mu);
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < m; j++) {
      REAL b = EXP(x[j]);
      s += (b * c) * (b / (1 + b));
    }
  } else {
    REAL mur = (REAL)mu;
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < m; j++) {
      REAL v = x[j];
      REAL u = v + (v < 0 ? v : 0) - LOG1P01(EXP(v < 0 ? v : -v));
      s += EXP(u - mur);
    }
  }
  return mu + log(s);
}

/* dx = g (p - onehot(y)) (2 - sigmoid(x)), p = exp(u - lse); 0 where lse = -inf or g = 0. */
BK_HOT static void NAME(sig_ce_grad_row)(const REAL* restrict x, REAL* restrict dx, int64_t m,
                                          REAL lse, REAL g, int64_t y) {
  if (lse == -(REAL)INFINITY || g == 0) {
#pragma omp simd
    for (int64_t j = 0; j < m; j++) {
      dx[j] = 0;
    }
    return;
  }
  if (lse >= FAST_LO && lse <= FAST_HI - 1) { /* max x <= lse + log 2 <= FAST_HI */
    REAL c = (REAL)exp(-(double)lse);
#pragma omp simd
    for (int64_t j = 0; j < m; j++) {
      REAL b = EXP(x[j]);
      REAL sg = b / (1 + b);
      dx[j] = g * ((b * c) * sg) * (2 - sg);
    }
  } else {
#pragma omp simd
    for (int64_t j = 0; j < m; j++) {
      REAL v = x[j];
      REAL a = EXP(v < 0 ? v : -v);
      REAL sg = (v >= 0 ? 1 : a) / (1 + a);
      REAL u = v + (v < 0 ? v : 0) - LOG1P01(a);
      dx[j] = g * EXP(u - lse) * (2 - sg);
    }
  }
  REAL v = x[y];
  REAL a = EXP(v < 0 ? v : -v);
  dx[y] -= g * (2 - (v >= 0 ? 1 : a) / (1 + a));
}

#undef NAME
#undef BK_CAT
#undef BK_CAT2
