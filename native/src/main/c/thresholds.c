/*
 * Exact thresholds of sparsemax (Martins & Astudillo 2016) and 1.5-entmax (Peters, Niculae &
 * Martins 2019) over the last axis, and their Fenchel-Young losses: ops BeyondSparseThreshold,
 * BeyondFenchelYoungLoss and BeyondFenchelYoungLossGrad.
 *
 * Candidates: with z = (x - max x) (sparsemax) or (x - max x)/2 (1.5-entmax), only z > -1 can
 * be in the support (no probability exceeds 1); one vectorized pass collects them. Threshold:
 * tau solves sum_j max(z_j - tau, 0)^k = 1 (k = 1, 2); f(p) = sum_{z >= p} (z - p)^k is
 * convex and decreasing. Newton's method from t = -1 (bk_newton_support) finds the support
 * exactly in a few read-only vectorized passes, also when the candidates are thousands of close
 * values (an untrained model's rows, where a quickselect-style partition took ten times longer);
 * the partition (random pivot, keep the half that still holds the boundary, carry the sums of the
 * part known to be in the support; O(candidates) expected) remains the fallback. tau is then
 * recomputed from plain sums over the support {z > tau}: (sum z - 1)/k for sparsemax,
 * mean - sqrt(1/k - variance) for 1.5-entmax.
 *
 * BeyondSparseThreshold(x: T; mapping) -> (tau: T, support: int32), per row: the threshold in
 * the units of x (p = max(x - tau, 0), or max(x/2 - tau, 0)^2) and the support size.
 * BeyondFenchelYoungLoss(x: T, labels: Tlabels; mapping) -> (loss: T, tau: T), per row:
 * L = sum_j p_j (x_j - max x) + H(p) - (x_y - max x), H(p) = (1 - sum p^2)/2 or
 * (1 - sum p^1.5)/0.75, over the support only; a row that is all -inf gives 0.
 * BeyondFenchelYoungLossGrad(dloss, x, tau, labels; mapping) -> dx = dloss (p - onehot(y)).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

/* Over {z > t}: the count, sum and sum of squares (one branch-free, vectorized pass). */
static void bk_sums_above(const double* z, int64_t n, double t, double* k, double* s1, double* s2) {
  double a = 0, b = 0, c = 0;
#pragma omp simd reduction(+ : a, b, c)
  for (int64_t i = 0; i < n; i++) {
    double v = z[i];
    double in = v > t ? 1.0 : 0.0;
    a += in;
    b += in * v;
    c += in * v * v;
  }
  *k = a;
  *s1 = b;
  *s2 = c;
}

/* The root of sum_{S} (z - tau)^k = 1 for the set S of count k0, sum s1, sum of squares s2. */
static double bk_root(double k0, double s1, double s2, int entmax) {
  double mean = s1 / k0;
  return entmax ? mean - sqrt(fmax(1 / k0 - (s2 / k0 - mean * mean), 0)) : (s1 - 1) / k0;
}

/*
 * The support of the candidates z[0, n) by Newton's method on f(t) = sum max(z - t, 0)^k from
 * t = -1 <= tau (f is convex and decreasing, so the iterates rise to tau and {z > t} shrinks to
 * the support): at each t, r = the root if the support were {z > t}; when {z > r} = {z > t},
 * r is tau. Otherwise the next t is r for sparsemax (the Newton step: f is linear there) and for
 * 1.5-entmax (where r overshoots tau) the Newton step from t or, where higher, the lower bound
 * mean - 1/sqrt(k) of {z > t} (by Cauchy-Schwarz, f there is >= 1). Each step is one or two read-only
 * passes; rows whose candidates are many and close (an untrained model's logits) take about ten,
 * where partitioning took about twice as many passes that write. Returns 0 when it did not settle
 * within its step limit (the caller then searches by partitioning); else k0, s1, s2 of the support.
 */
static int bk_newton_support(const double* z, int64_t n, int entmax, double* k0, double* s1, double* s2) {
  double t = -1, k, a1, a2;
  bk_sums_above(z, n, t, &k, &a1, &a2);
  for (int step = 0; step < 100 && k > 0; step++) {
    double r = bk_root(k, a1, a2, entmax);
    double kr, r1, r2;
    bk_sums_above(z, n, r, &kr, &r1, &r2);
    if (kr == k) {
      *k0 = k;
      *s1 = a1;
      *s2 = a2;
      return 1;
    }
    double next = r;
    if (entmax) { /* the Newton step, or mean - 1/sqrt(k) where higher: also <= tau (Cauchy-Schwarz) */
      next = fmax(t + (a2 - 2 * t * a1 + k * t * t - 1) / (2 * (a1 - k * t)), a1 / k - 1 / sqrt(k));
    }
    if (!(next > t) || !(r > t)) {
      return 0; /* no progress (rounding): let the partitioning decide */
    }
    t = next;
    if (entmax) {
      bk_sums_above(z, n, t, &k, &a1, &a2);
    } else {
      k = kr;
      a1 = r1;
      a2 = r2;
    }
  }
  return 0;
}

/*
 * The support by partitioning (random pivot, keep the half that still holds the boundary, carry
 * the sums of the part known to be in the support): exact, O(n) expected; reorders z.
 */
static void bk_partition_support(double* z, int64_t n, int entmax, double* k0_out, double* s1_out,
                                 double* s2_out) {
  int64_t lo = 0, hi = n; /* z[0, lo): in the support; z[lo, hi): undecided; z[hi, n): out */
  double k0 = 0, s1 = 0, s2 = 0; /* count, sum and sum of squares of z[0, lo) */
  uint64_t rng = 0x9E3779B97F4A7C15u ^ (uint64_t)n;
  while (lo < hi) {
    rng = rng * 6364136223846793005u + 1442695040888963407u;
    double p = z[lo + (int64_t)((rng >> 33) % (uint64_t)(hi - lo))];
    int64_t g = lo; /* move z >= p to the front of the undecided part */
    double a1 = 0, a2 = 0;
    for (int64_t i = lo; i < hi; i++) {
      double v = z[i];
      if (v >= p) {
        z[i] = z[g];
        z[g++] = v;
        a1 += v;
        a2 += v * v;
      }
    }
    /* f(p) over everything >= p: the known support (all > p) and z[lo, g) */
    double k = k0 + (double)(g - lo), t1 = s1 + a1, t2 = s2 + a2;
    double f = entmax ? t2 - 2 * p * t1 + k * p * p : t1 - k * p;
    if (f < 1) { /* tau < p: z >= p are all in the support */
      k0 = k;
      s1 = t1;
      s2 = t2;
      lo = g;
    } else { /* tau >= p: only z > p can still be */
      int64_t h = lo;
      for (int64_t i = lo; i < g; i++) {
        double v = z[i];
        if (v > p) {
          z[i] = z[h];
          z[h++] = v;
        }
      }
      hi = h;
    }
  }
  *k0_out = k0;
  *s1_out = s1;
  *s2_out = s2;
}

/* The threshold tau of the candidates z[0, n) (possibly reordered) and the support size #{z > tau}. */
static void bk_threshold(double* z, int64_t n, int entmax, double* tau_out, int64_t* support) {
  double k0, s1, s2;
  if (!bk_newton_support(z, n, entmax, &k0, &s1, &s2)) {
    bk_partition_support(z, n, entmax, &k0, &s1, &s2);
  }
  if (k0 == 0) { /* no candidates */
    *tau_out = 0;
    *support = 0;
    return;
  }
  double tau0 = bk_root(k0, s1, s2, entmax);
  /* exact recomputation over {z > tau0} */
  double k, sum, squares;
  bk_sums_above(z, n, tau0, &k, &sum, &squares);
  double tau;
  if (entmax) {
    double mean = sum / k;
    double ss = 0;
    for (int64_t i = 0; i < n; i++) {
      if (z[i] > tau0) {
        ss += (z[i] - mean) * (z[i] - mean);
      }
    }
    tau = mean - sqrt(fmax(1 / k - ss / k, 0));
  } else {
    tau = (sum - 1) / k;
  }
  int64_t count = 0;
  for (int64_t i = 0; i < n; i++) {
    count += z[i] > tau;
  }
  *tau_out = tau;
  *support = count;
}

#define REAL float
#define SUFFIX f32
#include "thresholds_rows.h"
#undef REAL
#undef SUFFIX

#define REAL double
#define SUFFIX f64
#include "thresholds_rows.h"
#undef REAL
#undef SUFFIX

static const char* const MAPPINGS[] = {"sparsemax", "entmax15"};

/* The kernels' state: the mapping, 1 for entmax15 (an index into MAPPINGS). */
static void* threshold_create(TF_OpKernelConstruction* ctx) {
  return bk_choice_create(ctx, "mapping", MAPPINGS, 2);
}

typedef struct {
  int entmax;
  int f32;
  int64_t cols;
  const void* x;
  bk_labels labels;   /* loss ops; data NULL for the threshold op */
  const void* g;      /* backward: dloss per row */
  const void* t;      /* backward: threshold per row */
  void* out;          /* threshold: tau; loss: loss; backward: dx */
  void* out2;         /* threshold: support (int32); loss: tau */
  int failed;         /* out of memory in a worker */
} threshold_job;

/* The per-row loss from the candidates z[0, n) and tau (units of z), z_y = x_y - max. */
static double fy_loss(const double* z, int64_t n, double tau, double zy, int entmax) {
  double pz = 0, h = 0;
  for (int64_t i = 0; i < n; i++) {
    double d = z[i] - tau;
    if (d > 0) {
      if (entmax) { /* p = d^2, x - max = 2 z, p^1.5 = d^3 */
        pz += d * d * 2 * z[i];
        h += d * d * d;
      } else {
        pz += d * z[i];
        h += d * d;
      }
    }
  }
  return entmax ? pz + (1 - h) / 0.75 - zy : pz + (1 - h) / 2 - zy;
}

static void threshold_part(void* arg, int64_t begin, int64_t end, int worker) {
  (void)worker;
  threshold_job* j = arg;
  int64_t m = j->cols;
  double* buf = malloc((size_t)(m > 0 ? m : 1) * sizeof(double));
  if (buf == NULL) {
    __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
    return;
  }
  for (int64_t r = begin; r < end; r++) {
    double t, mx, tau;
    int64_t support, n;
    double value;
    if (j->f32) {
      const float* x = (const float*)j->x + r * m;
      threshold_row_f32(x, m, j->entmax, buf, &t, &support, &mx, &tau, &n);
    } else {
      const double* x = (const double*)j->x + r * m;
      threshold_row_f64(x, m, j->entmax, buf, &t, &support, &mx, &tau, &n);
    }
    if (j->labels.data == NULL) { /* threshold op */
      value = t;
      ((int32_t*)j->out2)[r] = (int32_t)support;
    } else { /* loss op */
      int64_t y = bk_label(&j->labels, r);
      double xy = j->f32 ? ((const float*)j->x)[r * m + y] : ((const double*)j->x)[r * m + y];
      value = mx > -INFINITY ? fy_loss(buf, n, tau, xy - mx, j->entmax) : 0;
      if (j->f32) {
        ((float*)j->out2)[r] = (float)t;
      } else {
        ((double*)j->out2)[r] = t;
      }
    }
    if (j->f32) {
      ((float*)j->out)[r] = (float)value;
    } else {
      ((double*)j->out)[r] = value;
    }
  }
  free(buf);
}

static void fy_grad_part(void* arg, int64_t begin, int64_t end, int worker) {
  (void)worker;
  threshold_job* j = arg;
  int64_t m = j->cols;
  for (int64_t r = begin; r < end; r++) {
    int64_t y = bk_label(&j->labels, r);
    if (j->f32) {
      fy_grad_row_f32((const float*)j->x + r * m, (float*)j->out + r * m, m,
                      ((const float*)j->t)[r], ((const float*)j->g)[r], y, j->entmax);
    } else {
      fy_grad_row_f64((const double*)j->x + r * m, (double*)j->out + r * m, m,
                      ((const double*)j->t)[r], ((const double*)j->g)[r], y, j->entmax);
    }
  }
}

/* BeyondSparseThreshold (loss = 0) and BeyondFenchelYoungLoss (loss = 1). */
static void threshold_or_loss(bk_choice_kernel* k, TF_OpKernelContext* ctx, int loss) {
  TF_Tensor* in[2] = {NULL, NULL};
  TF_Tensor* out[2] = {NULL, NULL};
  int64_t rows, cols;
  if (bk_inputs(ctx, loss ? 2 : 1, in) == 0 && bk_rows_cols(ctx, in[0], "x", &rows, &cols) == 0) {
    TF_DataType dtype = TF_TensorType(in[0]);
    threshold_job job = {k->choice, dtype == TF_FLOAT, cols, TF_TensorData(in[0]), {NULL, 0},
                         NULL, NULL, NULL, NULL, 0};
    if (!loss || bk_get_labels(ctx, in[1], rows, cols, &job.labels) == 0) {
      out[0] = bk_allocate(ctx, 0, dtype, in[0], 1);
      out[1] = out[0] != NULL ? bk_allocate(ctx, 1, loss ? dtype : TF_INT32, in[0], 1) : NULL;
    }
    if (out[1] != NULL) {
      job.out = TF_TensorData(out[0]);
      job.out2 = TF_TensorData(out[1]);
      bk_parallel_for(rows, bk_row_grain(cols), threshold_part, &job);
      if (job.failed) {
        bk_fail(ctx, TF_RESOURCE_EXHAUSTED, "out of memory for the candidates of %lld classes",
                (long long)cols);
      }
    }
  }
  bk_release(2, out);
  bk_release(2, in);
}

static void threshold_compute(void* kernel, TF_OpKernelContext* ctx) {
  threshold_or_loss(kernel, ctx, 0);
}

static void loss_compute(void* kernel, TF_OpKernelContext* ctx) {
  threshold_or_loss(kernel, ctx, 1);
}

static void loss_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  bk_choice_kernel* k = kernel;
  TF_Tensor* in[4] = {NULL, NULL, NULL, NULL}; /* dloss, x, tau, labels */
  TF_Tensor* dx = NULL;
  int64_t rows, cols;
  if (bk_inputs(ctx, 4, in) == 0 && bk_rows_cols(ctx, in[1], "x", &rows, &cols) == 0) {
    TF_DataType dtype = TF_TensorType(in[1]);
    threshold_job job = {k->choice, dtype == TF_FLOAT, cols, TF_TensorData(in[1]), {NULL, 0},
                         TF_TensorData(in[0]), TF_TensorData(in[2]), NULL, NULL, 0};
    if (TF_TensorElementCount(in[0]) != rows || TF_TensorElementCount(in[2]) != rows) {
      bk_fail(ctx, TF_INVALID_ARGUMENT,
              "dloss and tau must have one entry per row of x (%lld)", (long long)rows);
    } else if (bk_get_labels(ctx, in[3], rows, cols, &job.labels) == 0) {
      dx = bk_allocate(ctx, 0, dtype, in[1], 0);
      if (dx != NULL) {
        job.out = TF_TensorData(dx);
        bk_parallel_for(rows, bk_row_grain(cols), fy_grad_part, &job);
      }
    }
  }
  bk_release(1, &dx);
  bk_release(4, in);
}

int bk_register_thresholds(TF_Status* status) {
  static const char* const attrs[] = {"T: {float, double}", "mapping: {'sparsemax', 'entmax15'}",
                                      NULL};
  static const char* const loss_attrs[] = {"T: {float, double}", "Tlabels: {int32, int64}",
                                           "mapping: {'sparsemax', 'entmax15'}", NULL};
  bk_op ops[] = {
      {"BeyondSparseThreshold", (const char* const[]){"x: T", NULL},
       (const char* const[]){"tau: T", "support: int32", NULL}, attrs, bk_shape_two_per_row,
       threshold_create, threshold_compute, bk_state_delete},
      {"BeyondFenchelYoungLoss", (const char* const[]){"x: T", "labels: Tlabels", NULL},
       (const char* const[]){"loss: T", "tau: T", NULL}, loss_attrs, bk_shape_two_per_row,
       threshold_create, loss_compute, bk_state_delete},
      {"BeyondFenchelYoungLossGrad",
       (const char* const[]){"dloss: T", "x: T", "tau: T", "labels: Tlabels", NULL},
       (const char* const[]){"dx: T", NULL}, loss_attrs, bk_shape_like_input1, threshold_create,
       loss_grad_compute, bk_state_delete}};
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    if (bk_register_op(&ops[i], status) != 0) return -1;
  }
  return 0;
}
