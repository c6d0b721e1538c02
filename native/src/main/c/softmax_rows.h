/*
 * Softmax-family loops for one element type, included by softmax.c with REAL, SUFFIX, EXP,
 * LOG1P01, and the fast-path bounds FAST_LO/FAST_HI defined.
 *
 * Sigsoftmax logits: u = x + log sigmoid(x) = x + min(x, 0) - log1p(a), a = exp(-|x|); then
 * exp(u) = e^x sigmoid(x) = 1/(a (1 + a)) for x >= 0 and a^2/(1 + a) for x < 0, one division
 * instead of a second exp. That form is used for rows whose maximum lies in [FAST_LO, FAST_HI]
 * (no overflow, and the terms it flushes to 0 are below 1e-20 of the largest); other rows take
 * exp(u - max u).
 */
#define BK_CAT2(a, b) a##_##b
#define BK_CAT(a, b) BK_CAT2(a, b)
#define NAME(a) BK_CAT(a, SUFFIX)

BK_HOT void NAME(bk_softmax_rows)(const REAL* restrict x, REAL* restrict y, REAL* restrict lse,
                                  int64_t rows, int64_t m, int mode) {
  int sig = mode == BK_SIGSOFTMAX || mode == BK_LOG_SIGSOFTMAX;
  int log_out = mode == BK_LOG_SOFTMAX || mode == BK_LOG_SIGSOFTMAX;
  for (int64_t r = 0; r < rows; r++) {
    const REAL* restrict xr = x + r * m;
    REAL* restrict yr = y + r * m;
    REAL mx = -(REAL)INFINITY;
#pragma omp simd reduction(max : mx)
    for (int64_t j = 0; j < m; j++) {
      mx = xr[j] > mx ? xr[j] : mx;
    }
    if (mx == -(REAL)INFINITY) { /* every entry masked (or none): p 0, log p -inf */
      REAL fill = log_out ? -(REAL)INFINITY : 0;
      for (int64_t j = 0; j < m; j++) {
        yr[j] = fill;
      }
      lse[r] = -(REAL)INFINITY;
      continue;
    }
    double l;
    if (!sig) {
      double s = 0; /* sums in double: float32 rows of 10^5 entries keep 1e-7 */
#pragma omp simd reduction(+ : s)
      for (int64_t j = 0; j < m; j++) {
        REAL e = EXP(xr[j] - mx);
        yr[j] = e;
        s += e;
      }
      l = (double)mx + log((double)s);
      if (log_out) {
        REAL lr = (REAL)l;
#pragma omp simd
        for (int64_t j = 0; j < m; j++) {
          yr[j] = xr[j] - lr;
        }
      } else {
        REAL inv = (REAL)(1 / (double)s);
#pragma omp simd
        for (int64_t j = 0; j < m; j++) {
          yr[j] *= inv;
        }
      }
    } else {
      double mxd = (double)mx; /* u is increasing in x: max u = u(max x) */
      double mu = mxd + (mxd < 0 ? mxd : 0) - log1p(exp(-fabs(mxd)));
      double s = 0;
      if (mx >= FAST_LO && mx <= FAST_HI && log_out) {
        REAL c = (REAL)exp(-mu);
#pragma omp simd reduction(+ : s)
        for (int64_t j = 0; j < m; j++) {
          REAL v = xr[j];
          REAL a = BK_EXP_NEG_ABS(v);
          yr[j] = BK_SIG_LOGIT(v, a);
          s += BK_SIG_EXP(v, a, c);
        }
      } else if (mx >= FAST_LO && mx <= FAST_HI) { /* probabilities: log sigmoid not needed */
        REAL c = (REAL)exp(-mu);
#pragma omp simd reduction(+ : s)
        for (int64_t j = 0; j < m; j++) {
          REAL v = xr[j];
          REAL a = BK_EXP_NEG_ABS(v);
          REAL e = BK_SIG_EXP(v, a, c);
          yr[j] = e;
          s += e;
        }
      } else {
        REAL mur = (REAL)mu;
#pragma omp simd reduction(+ : s)
        for (int64_t j = 0; j < m; j++) {
          REAL v = xr[j];
          REAL u = BK_SIG_LOGIT(v, BK_EXP_NEG_ABS(v));
          REAL e = EXP(u - mur);
          yr[j] = log_out ? u : e;
          s += e;
        }
      }
      l = mu + log((double)s);
      if (log_out) {
        REAL lr = (REAL)l;
#pragma omp simd
        for (int64_t j = 0; j < m; j++) {
          yr[j] -= lr;
        }
      } else {
        REAL inv = (REAL)(1 / (double)s);
#pragma omp simd
        for (int64_t j = 0; j < m; j++) {
          yr[j] *= inv;
        }
      }
    }
    lse[r] = (REAL)l;
  }
}

/*
 * dx from dy, x and the row log-normalizers lse (p = exp(u - lse)), with d = du/dx = 1, or
 * 2 - sigmoid(x) for sigsoftmax: log outputs dx = (dy - p sum(dy)) d (one pass after the sum),
 * probabilities dx = p (dy - sum(p dy)) d (p stored in dx by the first pass). Rows with
 * lse = -inf have p = 0. sigmoid(x) = (x >= 0 ? 1 : a)/(1 + a), a = exp(-|x|), is exact for
 * every x; for sigsoftmax rows with lse in [FAST_LO, FAST_HI - 1] (so max x <= FAST_HI) p comes
 * from the same a by one division, as in the forward pass.
 */
BK_HOT void NAME(bk_softmax_grad_rows)(const REAL* restrict dy, const REAL* restrict x,
                                       const REAL* restrict lse, REAL* restrict dx, int64_t rows,
                                       int64_t m, int mode) {
  int sig = mode == BK_SIGSOFTMAX || mode == BK_LOG_SIGSOFTMAX;
  int log_out = mode == BK_LOG_SOFTMAX || mode == BK_LOG_SIGSOFTMAX;
  for (int64_t r = 0; r < rows; r++) {
    const REAL* restrict gr = dy + r * m;
    const REAL* restrict xr = x + r * m;
    REAL* restrict dr = dx + r * m;
    REAL l = lse[r];
    if (l == -(REAL)INFINITY) { /* p = 0: dx = dy d (log outputs) or 0 */
#pragma omp simd
      for (int64_t j = 0; j < m; j++) {
        REAL v = xr[j];
        REAL a = BK_EXP_NEG_ABS(v);
        REAL d = sig ? 2 - BK_SIGMOID(v, a) : 1;
        dr[j] = log_out ? gr[j] * d : 0;
      }
      continue;
    }
    REAL c = (REAL)exp(-(double)l);
    int fast = sig && l >= FAST_LO && l <= FAST_HI - 1; /* max x <= lse + log 2 <= FAST_HI */
    double acc = 0;
    if (log_out) {
#pragma omp simd reduction(+ : acc)
      for (int64_t j = 0; j < m; j++) {
        acc += gr[j];
      }
      REAL s = (REAL)acc;
      if (!sig) {
#pragma omp simd
        for (int64_t j = 0; j < m; j++) {
          dr[j] = gr[j] - EXP(xr[j] - l) * s;
        }
      } else if (fast) {
#pragma omp simd
        for (int64_t j = 0; j < m; j++) {
          REAL v = xr[j];
          REAL a = BK_EXP_NEG_ABS(v);
          REAL p = BK_SIG_EXP(v, a, c);
          REAL d = 2 - BK_SIGMOID(v, a);
          dr[j] = (gr[j] - p * s) * d;
        }
      } else {
#pragma omp simd
        for (int64_t j = 0; j < m; j++) {
          REAL v = xr[j];
          REAL a = BK_EXP_NEG_ABS(v);
          REAL u = BK_SIG_LOGIT(v, a);
          REAL d = 2 - BK_SIGMOID(v, a);
          dr[j] = (gr[j] - EXP(u - l) * s) * d;
        }
      }
      continue;
    }
    /* probabilities: p into dr and acc = sum(p dy), then dr = p (dy - acc) d */
    if (!sig) {
#pragma omp simd reduction(+ : acc)
      for (int64_t j = 0; j < m; j++) {
        REAL p = EXP(xr[j] - l);
        dr[j] = p;
        acc += p * gr[j];
      }
    } else if (fast) {
#pragma omp simd reduction(+ : acc)
      for (int64_t j = 0; j < m; j++) {
        REAL v = xr[j];
        REAL a = BK_EXP_NEG_ABS(v);
        REAL p = BK_SIG_EXP(v, a, c);
        dr[j] = p;
        acc += p * gr[j];
      }
    } else {
#pragma omp simd reduction(+ : acc)
      for (int64_t j = 0; j < m; j++) {
        REAL v = xr[j];
        REAL u = BK_SIG_LOGIT(v, BK_EXP_NEG_ABS(v));
        REAL p = EXP(u - l);
        dr[j] = p;
        acc += p * gr[j];
      }
    }
    REAL s = (REAL)acc;
    if (!sig) {
#pragma omp simd
      for (int64_t j = 0; j < m; j++) {
        dr[j] = dr[j] * (gr[j] - s);
      }
    } else {
#pragma omp simd
      for (int64_t j = 0; j < m; j++) {
        REAL v = xr[j];
        REAL a = BK_EXP_NEG_ABS(v);
        REAL d = 2 - BK_SIGMOID(v, a);
        dr[j] = dr[j] * (gr[j] - s) * d;
      }
    }
  }
}

#undef NAME
#undef BK_CAT
#undef BK_CAT2
