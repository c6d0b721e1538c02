/*
 * alpha-entmax rows for one element type, included by entmax_bisect.c with REAL, SUFFIX and EXP
 * defined (and the solver, the powers and the row helpers of entmax_bisect.c declared before).
 * All sums are in double; p on the candidates (the only entries that can be in the support) is
 * computed in double and stored in REAL.
 */
#define BK_CAT2(a, b) a##_##b
#define BK_CAT(a, b) BK_CAT2(a, b)
#define NAME(a) BK_CAT(a, SUFFIX)

enum { NAME(ENTMAX_BLOCK) = 32 };

#include "row_max.h"

/* Inlined into each caller's clone: the backward calls these once per block of 32. */
static inline void NAME(entmax_fill)(REAL* y, int64_t m, REAL value) {
#pragma omp simd
  for (int64_t j = 0; j < m; j++) {
    y[j] = value;
  }
}

/* Whether any of x[0, n) is >= floor (strict: > floor). */
static inline int NAME(entmax_any)(const REAL* x, int64_t n, REAL floor, int strict) {
  int any = 0;
#pragma omp simd reduction(| : any)
  for (int64_t i = 0; i < n; i++) {
    any |= strict ? x[i] > floor : x[i] >= floor;
  }
  return any;
}

/*
 * The finite entries x >= floor: z = (x - mx) scale into z[] and their columns into idx[];
 * returns how many. Blocks without any (most of them at ordinary scales) cost one vector compare.
 */
BK_HOT static int64_t NAME(entmax_candidates)(const REAL* x, int64_t m, REAL floor, double mx,
                                              double scale, double* z, int64_t* idx) {
  int64_t n = 0;
  for (int64_t b = 0; b < m; b += NAME(ENTMAX_BLOCK)) {
    int64_t e = m - b < NAME(ENTMAX_BLOCK) ? m - b : NAME(ENTMAX_BLOCK);
    if (NAME(entmax_any)(x + b, e, floor, 0)) {
      for (int64_t i = 0; i < e; i++) {
        REAL v = x[b + i];
        z[n] = ((double)v - mx) * scale;
        idx[n] = b + i;
        n += v >= floor && v > -(REAL)INFINITY;
      }
    }
  }
  return n;
}

/* Softmax of one row (alpha = 1) into p; the log-normalizer, -inf for a row that is all -inf. */
BK_HOT static double NAME(entmax_softmax_row)(const REAL* restrict x, REAL* restrict p,
                                              int64_t m) {
  REAL mx = NAME(row_max)(x, m);
  if (mx == -(REAL)INFINITY) {
    if (p != NULL) NAME(entmax_fill)(p, m, 0);
    return -INFINITY;
  }
  double s = 0;
  if (p == NULL) {
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < m; j++) {
      s += EXP(x[j] - mx);
    }
    return (double)mx + log(s);
  }
#pragma omp simd reduction(+ : s)
  for (int64_t j = 0; j < m; j++) {
    REAL e = EXP(x[j] - mx);
    p[j] = e;
    s += e;
  }
  REAL inv = (REAL)(1 / s);
#pragma omp simd
  for (int64_t j = 0; j < m; j++) {
    p[j] *= inv;
  }
  return (double)mx + log(s);
}

/*
 * The threshold of one row with alpha > 1: its maximum mx (-inf: no threshold, returns 0
 * candidates) and tau in units of z = (alpha - 1)(x - mx); z[0, n) and idx[0, n) are left
 * holding the candidates.
 */
static int64_t NAME(entmax_threshold_row)(const REAL* x, int64_t m, double am1, bk_power k,
                                          double* z, int64_t* idx, double* mx_out,
                                          double* tau) {
  REAL mx = NAME(row_max)(x, m);
  *mx_out = mx;
  *tau = 0;
  if (!(mx > -(REAL)INFINITY)) {
    return 0;
  }
  /* z >= -1: no probability exceeds 1 (floor is -inf where 1/(alpha - 1) overflows) */
  REAL floor = mx - (REAL)(1 / am1);
  int64_t n = NAME(entmax_candidates)(x, m, floor, mx, am1, z, idx);
  *tau = entmax_tau(z, n, am1, k);
  return n;
}

/* The mapping's row: p = max(z - tau, 0)^(1/(alpha - 1)), normalized to sum 1. */
static void NAME(entmax_map_row)(const REAL* x, REAL* p, int64_t m, double alpha, double* z,
                                 int64_t* idx) {
  if (alpha == 1) {
    NAME(entmax_softmax_row)(x, p, m);
    return;
  }
  double am1 = alpha - 1, mx, tau;
  int64_t n = NAME(entmax_threshold_row)(x, m, am1, bk_power_of(1 / am1), z, idx, &mx, &tau);
  double s = entmax_support_probabilities(z, n, tau, bk_power_of(1 / am1));
  NAME(entmax_fill)(p, m, 0);
  for (int64_t c = 0; c < n; c++) {
    if (z[c] > 0) {
      p[idx[c]] = (REAL)(z[c] / s);
    }
  }
}

/*
 * The mapping's backward for one row from p and the upstream g: with r = p^(2 - alpha) on the
 * support, dx = r (g - sum(r g)/sum(r)); *dalpha gets the row's alpha-gradient (see
 * entmax_bisect.c). The support is found by vector compares; its entries go through idx/rbuf.
 */
BK_HOT static void NAME(entmax_grad_row)(const REAL* g, const REAL* p, REAL* dx, int64_t m,
                                  double alpha, double* rbuf, int64_t* idx, double* dalpha) {
  int64_t n = 0;
  for (int64_t b = 0; b < m; b += NAME(ENTMAX_BLOCK)) {
    int64_t e = m - b < NAME(ENTMAX_BLOCK) ? m - b : NAME(ENTMAX_BLOCK);
    if (NAME(entmax_any)(p + b, e, 0, 1)) {
      for (int64_t i = 0; i < e; i++) {
        idx[n] = b + i;
        n += p[b + i] > 0;
      }
    }
  }
  entmax_sums sums = {0, 0, 0, 0, 0};
  bk_power r = bk_power_of(2 - alpha);
  for (int64_t c = 0; c < n; c++) {
    double pc = p[idx[c]];
    double gc = g[idx[c]];
    rbuf[c] = bk_power_at(r, pc);
    entmax_sums_add(&sums, pc, gc, rbuf[c], alpha != 1);
  }
  double q = sums.r > 0 ? sums.rg / sums.r : 0;
  NAME(entmax_fill)(dx, m, 0);
  for (int64_t c = 0; c < n; c++) {
    dx[idx[c]] = (REAL)(rbuf[c] * ((double)g[idx[c]] - q));
  }
  *dalpha = alpha == 1 ? 0 : entmax_alpha_gradient(&sums, alpha, q);
}

/*
 * The Fenchel-Young loss of one row, L = sum_j p_j (x_j - mx) + H_alpha(p) - (x_y - mx), and the
 * row's threshold for the backward (alpha = 1: lse, else tau in units of z); 0 for a row that is
 * all -inf.
 */
static double NAME(entmax_loss_row)(const REAL* x, int64_t m, int64_t y, double alpha,
                                    double* z, int64_t* idx, double* t_out) {
  if (alpha == 1) {
    double lse = NAME(entmax_softmax_row)(x, NULL, m);
    *t_out = lse;
    return lse == -INFINITY ? 0 : lse - (double)x[y];
  }
  double am1 = alpha - 1, mx, tau;
  bk_power k = bk_power_of(1 / am1);
  int64_t n = NAME(entmax_threshold_row)(x, m, am1, k, z, idx, &mx, &tau);
  *t_out = tau;
  if (!(mx > -INFINITY)) {
    return 0;
  }
  double s = entmax_support_probabilities(z, n, tau, k);
  double pz = 0, pa = 0;
  bk_power a = bk_power_of(alpha);
  for (int64_t c = 0; c < n; c++) {
    if (z[c] > 0) {
      double pc = z[c] / s;
      pz += pc * ((double)x[idx[c]] - mx);
      pa += bk_power_at(a, pc);
    }
  }
  return pz + (1 - pa) / (alpha * am1) - ((double)x[y] - mx);
}

/*
 * The loss's backward for one row: dx = g (p - onehot(y)) with p from x and the row's threshold
 * t (unnormalized: the threshold makes sum(p) = 1 to rounding); *dalpha gets g dH_alpha/dalpha.
 */
BK_HOT static void NAME(entmax_loss_grad_row)(const REAL* x, REAL* dx, int64_t m, int64_t y,
                                       double alpha, double t, double g, double* dalpha) {
  *dalpha = 0;
  if (g == 0) {
    NAME(entmax_fill)(dx, m, 0);
    return;
  }
  if (alpha == 1) { /* cross-entropy: t = lse */
    if (t == -INFINITY) {
      NAME(entmax_fill)(dx, m, 0);
      return;
    }
    REAL lse = (REAL)t, gr = (REAL)g;
#pragma omp simd
    for (int64_t j = 0; j < m; j++) {
      dx[j] = gr * EXP(x[j] - lse);
    }
    dx[y] -= gr;
    return;
  }
  REAL mxr = NAME(row_max)(x, m);
  if (!(mxr > -(REAL)INFINITY)) {
    NAME(entmax_fill)(dx, m, 0);
    return;
  }
  double am1 = alpha - 1, mx = mxr;
  bk_power k = bk_power_of(1 / am1);
  REAL floor = mxr - (REAL)(1 / am1);
  double pa = 0, pal = 0; /* sum p^alpha, sum p^alpha log p */
  NAME(entmax_fill)(dx, m, 0);
  for (int64_t b = 0; b < m; b += NAME(ENTMAX_BLOCK)) {
    int64_t e = m - b < NAME(ENTMAX_BLOCK) ? m - b : NAME(ENTMAX_BLOCK);
    if (!NAME(entmax_any)(x + b, e, floor, 0)) {
      continue;
    }
    for (int64_t i = 0; i < e; i++) {
      double d = ((double)x[b + i] - mx) * am1 - t;
      double p = 0;
      if (d > 0) {
        p = bk_power_at(k, d);
        pa += p * d;                    /* p^alpha = d^(k + 1) */
        pal += p * d * k.e * log(d);    /* log p = k log d */
      }
      dx[b + i] = (REAL)(g * p);
    }
  }
  dx[y] -= (REAL)g;
  double aa = alpha * am1;
  *dalpha = g * (-pal * aa - (1 - pa) * (2 * alpha - 1)) / (aa * aa);
}

#undef NAME
#undef BK_CAT
#undef BK_CAT2
