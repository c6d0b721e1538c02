/*
 * Threshold loops for one element type, included by thresholds.c with REAL and SUFFIX defined.
 */
#define BK_CAT2(a, b) a##_##b
#define BK_CAT(a, b) BK_CAT2(a, b)
#define NAME(a) BK_CAT(a, SUFFIX)

enum { NAME(BLOCK) = 32 };

#include "row_max.h"

/*
 * The candidates z = scale (x - max) of the entries x >= floor, into buf; returns how many.
 * (>=, not >: at scales where max - width rounds to max, the maximum must stay a candidate.)
 * Blocks without any candidate (most of them at ordinary scales) cost one vector compare.
 */
BK_HOT static int64_t NAME(candidates)(const REAL* x, int64_t m, REAL floor, double mx,
                                       double scale, double* buf) {
  int64_t n = 0;
  int64_t j = 0;
  for (; j + NAME(BLOCK) <= m; j += NAME(BLOCK)) {
    int any = 0;
#pragma omp simd reduction(| : any)
    for (int64_t i = 0; i < NAME(BLOCK); i++) {
      any |= x[j + i] >= floor;
    }
    if (any) {
      for (int64_t i = 0; i < NAME(BLOCK); i++) {
        buf[n] = ((double)x[j + i] - mx) * scale;
        n += x[j + i] >= floor;
      }
    }
  }
  for (; j < m; j++) {
    buf[n] = ((double)x[j] - mx) * scale;
    n += x[j] >= floor;
  }
  return n;
}

/*
 * The threshold of one row in the units of x (sparsemax: p = max(x - t, 0); 1.5-entmax:
 * p = max(x/2 - t, 0)^2), its support size, and the row maximum; buf (m doubles) is left
 * holding the candidates, and *tau and *count their threshold and number. A row without finite
 * maximum (all -inf, or no classes) gets t = 0 and support 0.
 */
static void NAME(threshold_row)(const REAL* x, int64_t m, int entmax, double* buf, double* t,
                                int64_t* support, double* mx_out, double* tau, int64_t* count) {
  REAL mx = NAME(row_max)(x, m);
  *mx_out = mx;
  if (!(mx > -(REAL)INFINITY) || mx == (REAL)INFINITY) {
    *t = 0;
    *support = 0;
    *tau = 0;
    *count = 0;
    return;
  }
  double scale = entmax ? 0.5 : 1.0;
  REAL floor = mx - (REAL)(entmax ? 2 : 1); /* z >= -1: no probability exceeds 1 */
  int64_t n = NAME(candidates)(x, m, floor, mx, scale, buf);
  bk_threshold(buf, n, entmax, tau, support);
  *count = n;
  *t = (double)mx * scale + *tau;
}

/* dx = dloss (p - onehot(label)), p from x and the row threshold t. */
BK_HOT static void NAME(fy_grad_row)(const REAL* x, REAL* dx, int64_t m, REAL t, REAL g,
                                     int64_t label, int entmax) {
  if (entmax) {
#pragma omp simd
    for (int64_t j = 0; j < m; j++) {
      REAL d = x[j] * (REAL)0.5 - t;
      d = d > 0 ? d : 0;
      dx[j] = g * (d * d);
    }
  } else {
#pragma omp simd
    for (int64_t j = 0; j < m; j++) {
      REAL d = x[j] - t;
      dx[j] = g * (d > 0 ? d : 0);
    }
  }
  dx[label] -= g;
}

#undef NAME
#undef BK_CAT
#undef BK_CAT2
