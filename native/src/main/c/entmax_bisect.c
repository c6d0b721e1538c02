/*
 * alpha-entmax (Peters, Niculae & Martins 2019; Blondel, Martins & Niculae 2020) over the last
 * axis, and its Fenchel-Young loss: ops BeyondEntmaxBisect, BeyondEntmaxBisectGrad,
 * BeyondEntmaxBisectLoss and BeyondEntmaxBisectLossGrad. alpha is one value >= 1 per row, or
 * one for all rows; alpha = 1 is softmax (and cross-entropy).
 *
 * p = max(z - tau, 0)^k with z = (alpha - 1)(x - max x), k = 1/(alpha - 1), tau such that
 * sum(p) = 1. Candidates: no p exceeds 1, so only z > -1 can be in the support; one vectorized
 * pass collects them (with their columns). Threshold: F(tau) = sum (z - tau)_+^k - 1 is
 * decreasing with F(-1) >= 0 >= F(-(1/n)^(alpha - 1)) for n candidates; safeguarded Halley
 * iterations (AdaSplash, Goncalves et al. 2025) on that bracket: each iterate tightens the
 * bracket, and a step that leaves it or does not halve the step before last is replaced by
 * bisection. Convex F (alpha <= 2) starts from the left end, others from the right, where
 * Halley's iterates approach the root monotonically.
 *
 * BeyondEntmaxBisect(x: T, alpha: T) -> p: T; p renormalized to sum 1.
 * BeyondEntmaxBisectGrad(dy, p, alpha) -> (dx, dalpha): with r = p^(2 - alpha) on the support,
 *   dx = r (dy - sum(r dy)/sum(r)) and dalpha = sum dy [(p - r~)/(alpha - 1)^2
 *   - (p log p - r~ sum(p log p))/(alpha - 1)], r~ = r/sum(r) (as the entmax package); 0 at
 *   alpha = 1.
 * BeyondEntmaxBisectLoss(x: T, labels: Tlabels, alpha: T) -> (loss: T, tau: T), per row:
 *   L = sum_j p_j (x_j - max) + H_alpha(p) - (x_y - max), H_alpha(p) = (1 - sum p^alpha) /
 *   (alpha (alpha - 1)); tau: the row's threshold (lse where alpha = 1); a row that is all -inf
 *   gives 0.
 * BeyondEntmaxBisectLossGrad(dloss, x, tau, labels, alpha) -> (dx, dalpha): dx = dloss (p -
 *   onehot(y)); dalpha = dloss dH_alpha(p)/dalpha at the loss's p (Danskin), 0 at alpha = 1.
 * dalpha has the shape of alpha: per row, or summed over the rows for a single alpha.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "vmath.h"

/* An exponent e for d^e, d > 0, with exact forms for the common cases. */
typedef struct {
  double e;
  int kind; /* 0: exp(e log d); 1: d; 2: d^2; 3: sqrt(d); 4: 1 */
} bk_power;

static bk_power bk_power_of(double e) {
  bk_power p = {e, 0};
  p.kind = e == 1 ? 1 : e == 2 ? 2 : e == 0.5 ? 3 : e == 0 ? 4 : 0;
  return p;
}

static inline double bk_power_at(bk_power p, double d) {
  switch (p.kind) {
    case 1: return d;
    case 2: return d * d;
    case 3: return sqrt(d);
    case 4: return 1;
    default: return exp(p.e * log(d));
  }
}

/*
 * tau with sum_i (z_i - tau)_+^k = 1 over the candidates z[0, n) (maximum 0, all >= -1).
 */
static double entmax_tau(const double* z, int64_t n, double am1, bk_power k) {
  double lo = -1;
  double hi = n > 1 ? -pow((double)n, -am1) : -1;
  if (!(hi > lo)) {
    return lo;
  }
  double tau = k.e >= 1 ? lo : hi;
  double step = hi - lo, before = step;
  for (int it = 0; it < 200; it++) {
    double s0 = 0, s1 = 0, s2 = 0; /* sums of d^k, d^(k-1), d^(k-2) over d = z - tau > 0 */
    for (int64_t i = 0; i < n; i++) {
      double d = z[i] - tau;
      if (d > 0) {
        double pk = bk_power_at(k, d);
        double inv = 1 / d;
        s0 += pk;
        s1 += pk * inv;
        s2 += pk * inv * inv;
      }
    }
    double f = s0 - 1;
    if (f == 0) {
      return tau;
    }
    if (f > 0) {
      lo = tau;
    } else {
      hi = tau;
    }
    double f1 = -k.e * s1, f2 = k.e * (k.e - 1) * s2;
    double next = tau - 2 * f * f1 / (2 * f1 * f1 - f * f2);
    if (!(next > lo && next < hi) || fabs(next - tau) > 0.5 * fabs(before)) {
      next = 0.5 * (lo + hi); /* outside the bracket, NaN, or too slow: bisect */
    }
    before = step;
    step = next - tau;
    tau = next;
    if (fabs(step) <= 4 * DBL_EPSILON * fabs(tau) || hi - lo <= 4 * DBL_EPSILON * fabs(tau)) {
      break;
    }
  }
  return tau;
}

/* z[c] := max(z[c] - tau, 0)^k for the candidates; returns their sum. */
static double entmax_support_probabilities(double* z, int64_t n, double tau, bk_power k) {
  double s = 0;
  for (int64_t c = 0; c < n; c++) {
    double d = z[c] - tau;
    z[c] = d > 0 ? bk_power_at(k, d) : 0;
    s += z[c];
  }
  return s;
}

/* The mapping backward's sums over the support. */
typedef struct {
  double pg;  /* sum g p */
  double rg;  /* sum g r */
  double r;   /* sum r */
  double pgl; /* sum g p log p */
  double pl;  /* sum p log p */
} entmax_sums;

static inline void entmax_sums_add(entmax_sums* s, double p, double g, double r, int logs) {
  s->pg += g * p;
  s->rg += g * r;
  s->r += r;
  if (logs) {
    double pl = p * log(p);
    s->pgl += g * pl;
    s->pl += pl;
  }
}

/* dalpha = (sum g p - q)/(alpha - 1)^2 - (sum g p log p - q sum p log p)/(alpha - 1), q =
 * sum(r g)/sum(r). */
static double entmax_alpha_gradient(const entmax_sums* s, double alpha, double q) {
  double am1 = alpha - 1;
  return (s->pg - q) / (am1 * am1) - (s->pgl - q * s->pl) / am1;
}

#define REAL float
#define SUFFIX f32
#define EXP bk_expf
#include "entmax_bisect_rows.h"
#undef REAL
#undef SUFFIX
#undef EXP

#define REAL double
#define SUFFIX f64
#define EXP bk_exp
#include "entmax_bisect_rows.h"
#undef REAL
#undef SUFFIX
#undef EXP

typedef struct entmax_job entmax_job;

struct entmax_job {
  void (*row)(entmax_job* j, int64_t r, double* z, int64_t* idx); /* one row */
  int f32;
  int64_t cols;
  const void* x;      /* forward, loss: x; mapping backward: p */
  const void* alpha;  /* one per row, or one */
  int alpha_per_row;
  bk_labels labels;   /* loss ops */
  const void* g;      /* backward: dy ([R, M]) or dloss ([R]) */
  const void* t;      /* loss backward: the threshold per row */
  void* out;          /* mapping: p; loss: loss; backward: dx */
  void* out2;         /* loss: tau; backward: dalpha (per row) */
  double* row_dalpha; /* backward, one alpha: each row's dalpha, summed in row order at the end */
  int failed;         /* out of memory in a worker */
};

static double alpha_at(const entmax_job* j, int64_t r) {
  return bk_get(j->f32, j->alpha, j->alpha_per_row ? r : 0);
}

/* dalpha of row r: into its entry, or kept for the sum of a single alpha. */
static void add_dalpha(entmax_job* j, int64_t r, double d) {
  if (j->alpha_per_row) {
    bk_set(j->f32, j->out2, r, d);
  } else {
    j->row_dalpha[r] = d;
  }
}

/* One row of an op: r, and buffers of m doubles (z) and m columns (idx). */
typedef void (*entmax_row_fn)(entmax_job* j, int64_t r, double* z, int64_t* idx);

static void map_row(entmax_job* j, int64_t r, double* z, int64_t* idx) {
  int64_t m = j->cols;
  if (j->f32) {
    entmax_map_row_f32((const float*)j->x + r * m, (float*)j->out + r * m, m, alpha_at(j, r), z,
                       idx);
  } else {
    entmax_map_row_f64((const double*)j->x + r * m, (double*)j->out + r * m, m, alpha_at(j, r),
                       z, idx);
  }
}

static void map_grad_row(entmax_job* j, int64_t r, double* z, int64_t* idx) {
  int64_t m = j->cols;
  double d;
  if (j->f32) {
    entmax_grad_row_f32((const float*)j->g + r * m, (const float*)j->x + r * m,
                        (float*)j->out + r * m, m, alpha_at(j, r), z, idx, &d);
  } else {
    entmax_grad_row_f64((const double*)j->g + r * m, (const double*)j->x + r * m,
                        (double*)j->out + r * m, m, alpha_at(j, r), z, idx, &d);
  }
  add_dalpha(j, r, d);
}

static void loss_row(entmax_job* j, int64_t r, double* z, int64_t* idx) {
  int64_t m = j->cols, y = bk_label(&j->labels, r);
  double t, loss;
  if (j->f32) {
    loss = entmax_loss_row_f32((const float*)j->x + r * m, m, y, alpha_at(j, r), z, idx, &t);
  } else {
    loss = entmax_loss_row_f64((const double*)j->x + r * m, m, y, alpha_at(j, r), z, idx, &t);
  }
  bk_set(j->f32, j->out, r, loss);
  bk_set(j->f32, j->out2, r, t);
}

static void loss_grad_row(entmax_job* j, int64_t r, double* z, int64_t* idx) {
  (void)z;
  (void)idx;
  int64_t m = j->cols, y = bk_label(&j->labels, r);
  double t = bk_get(j->f32, j->t, r), g = bk_get(j->f32, j->g, r), d;
  if (j->f32) {
    entmax_loss_grad_row_f32((const float*)j->x + r * m, (float*)j->out + r * m, m, y,
                             alpha_at(j, r), t, g, &d);
  } else {
    entmax_loss_grad_row_f64((const double*)j->x + r * m, (double*)j->out + r * m, m, y,
                             alpha_at(j, r), t, g, &d);
  }
  add_dalpha(j, r, d);
}

/* The rows [begin, end) of j->row, with buffers of m candidates (freed at the end). */
static void rows_part(void* arg, int64_t begin, int64_t end, int worker) {
  (void)worker;
  entmax_job* j = arg;
  size_t m = (size_t)(j->cols > 0 ? j->cols : 1);
  double* z = malloc(m * sizeof(double));
  int64_t* idx = malloc(m * sizeof(int64_t));
  if (z != NULL && idx != NULL) {
    for (int64_t r = begin; r < end; r++) {
      j->row(j, r, z, idx);
    }
  } else {
    __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
  }
  free(z);
  free(idx);
}

/* alpha: one value per row of x, or one; each finite and >= 1. 0 when valid, else fails ctx. */
static int entmax_alpha(TF_OpKernelContext* ctx, entmax_job* j, const TF_Tensor* alpha,
                        int64_t rows) {
  int64_t count = TF_TensorElementCount(alpha);
  if (count != rows && count != 1) {
    bk_fail(ctx, TF_INVALID_ARGUMENT,
            "alpha must hold one value, or one per row of x (%lld), got %lld", (long long)rows,
            (long long)count);
    return -1;
  }
  j->alpha = TF_TensorData(alpha);
  j->alpha_per_row = count != 1;
  for (int64_t i = 0; i < count; i++) {
    double a = bk_get(j->f32, j->alpha, i);
    if (!(a >= 1) || isinf(a)) {
      bk_fail(ctx, TF_INVALID_ARGUMENT, "alpha must be finite and >= 1, got %g (entry %lld)", a,
              (long long)i);
      return -1;
    }
  }
  return 0;
}

/* Runs a job over the rows; fails ctx when a worker ran out of memory. */
static void entmax_run(TF_OpKernelContext* ctx, entmax_job* j, int64_t rows) {
  bk_parallel_for(rows, bk_row_grain(j->cols), rows_part, j);
  if (j->failed) {
    bk_fail(ctx, TF_RESOURCE_EXHAUSTED, "out of memory for the candidates of %lld classes",
            (long long)j->cols);
  }
}

/* A single alpha's gradient: the rows' values summed in row order (the same in every run). */
static void entmax_store_dalpha(entmax_job* j, int64_t rows) {
  if (!j->alpha_per_row) {
    double s = 0;
    for (int64_t r = 0; r < rows; r++) {
      s += j->row_dalpha[r];
    }
    bk_set(j->f32, j->out2, 0, s);
  }
}

/* Where one of the four ops finds its inputs, and what its outputs look like. */
typedef struct {
  int inputs;         /* how many */
  int x;              /* x, or p (the mapping's backward) */
  const char* x_name;
  int g;              /* dy or dloss; -1: none */
  int t;              /* the loss's threshold per row; -1: none */
  int labels;         /* -1: none */
  int alpha;
  int per_row;        /* outputs one value per row (the loss); else output 0 is like x and
                       * output 1 (the backward's dalpha) like alpha */
  int outputs;
  entmax_row_fn row;
} entmax_op;

static void entmax_compute(const entmax_op* op, TF_OpKernelContext* ctx) {
  TF_Tensor* in[5] = {NULL, NULL, NULL, NULL, NULL};
  TF_Tensor* out[2] = {NULL, NULL};
  int64_t rows, cols;
  if (bk_inputs(ctx, op->inputs, in) == 0 &&
      bk_rows_cols(ctx, in[op->x], op->x_name, &rows, &cols) == 0) {
    TF_DataType dtype = TF_TensorType(in[op->x]);
    entmax_job job;
    memset(&job, 0, sizeof job);
    job.row = op->row;
    job.f32 = dtype == TF_FLOAT;
    job.cols = cols;
    job.x = TF_TensorData(in[op->x]);
    int ok = 1;
    if (op->g >= 0) {
      job.g = TF_TensorData(in[op->g]);
      if (op->t >= 0) {
        ok = bk_check_per_row(ctx, in[op->g], "dloss", rows) == 0 &&
             bk_check_per_row(ctx, in[op->t], "tau", rows) == 0;
        job.t = TF_TensorData(in[op->t]);
      } else if (TF_TensorElementCount(in[op->g]) != rows * cols) {
        bk_fail(ctx, TF_INVALID_ARGUMENT, "dy must have the shape of p");
        ok = 0;
      }
    }
    ok = ok && (op->labels < 0 || bk_get_labels(ctx, in[op->labels], rows, cols, &job.labels) == 0);
    ok = ok && entmax_alpha(ctx, &job, in[op->alpha], rows) == 0;
    for (int o = 0; ok && o < op->outputs; o++) {
      out[o] = op->per_row ? bk_allocate(ctx, o, dtype, in[op->x], 1)
                           : bk_allocate(ctx, o, dtype, in[o == 0 ? op->x : op->alpha], 0);
      ok = out[o] != NULL;
    }
    if (ok && op->g >= 0 && !job.alpha_per_row) {
      job.row_dalpha = malloc((size_t)(rows > 0 ? rows : 1) * sizeof(double));
      if (job.row_dalpha == NULL) {
        bk_fail(ctx, TF_RESOURCE_EXHAUSTED, "out of memory for dalpha of %lld rows",
                (long long)rows);
        ok = 0;
      }
    }
    if (ok) {
      job.out = TF_TensorData(out[0]);
      job.out2 = op->outputs > 1 ? TF_TensorData(out[1]) : NULL;
      entmax_run(ctx, &job, rows);
      if (op->g >= 0 && !job.failed) {
        entmax_store_dalpha(&job, rows);
      }
    }
    free(job.row_dalpha);
  }
  bk_release(2, out);
  bk_release(op->inputs, in);
}

static void map_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  static const entmax_op op = {2, 0, "x", -1, -1, -1, 1, 0, 1, map_row}; /* x, alpha -> p */
  entmax_compute(&op, ctx);
}

static void map_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  /* dy, p, alpha -> dx, dalpha */
  static const entmax_op op = {3, 1, "p", 0, -1, -1, 2, 0, 2, map_grad_row};
  entmax_compute(&op, ctx);
}

static void loss_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  /* x, labels, alpha -> loss, tau */
  static const entmax_op op = {3, 0, "x", -1, -1, 1, 2, 1, 2, loss_row};
  entmax_compute(&op, ctx);
}

static void loss_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  /* dloss, x, tau, labels, alpha -> dx, dalpha */
  static const entmax_op op = {5, 1, "x", 0, 2, 3, 4, 0, 2, loss_grad_row};
  entmax_compute(&op, ctx);
}

/* p: the shape of x. */
static void map_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  bk_shape_same_as_input0(ctx, status);
}

static void loss_grad_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  bk_shape_outputs_like(ctx, status, 2, (const int[]){1, 4});
}

int bk_register_entmax_bisect(TF_Status* status) {
  static const char* const grad_out[] = {"dx: T", "dalpha: T", NULL};
  bk_op ops[] = {
      {"BeyondEntmaxBisect", (const char* const[]){"x: T", "alpha: T", NULL},
       (const char* const[]){"p: T", NULL}, BK_ATTRS_T, map_shape, bk_stateless_create,
       map_compute, bk_stateless_delete},
      {"BeyondEntmaxBisectGrad", (const char* const[]){"dy: T", "p: T", "alpha: T", NULL},
       grad_out, BK_ATTRS_T, bk_shape_like_inputs1_2, bk_stateless_create, map_grad_compute,
       bk_stateless_delete},
      {"BeyondEntmaxBisectLoss", (const char* const[]){"x: T", "labels: Tlabels", "alpha: T", NULL},
       (const char* const[]){"loss: T", "tau: T", NULL}, BK_ATTRS_T_LABELS, bk_shape_two_per_row,
       bk_stateless_create, loss_compute, bk_stateless_delete},
      {"BeyondEntmaxBisectLossGrad",
       (const char* const[]){"dloss: T", "x: T", "tau: T", "labels: Tlabels", "alpha: T", NULL},
       grad_out, BK_ATTRS_T_LABELS, loss_grad_shape, bk_stateless_create, loss_grad_compute,
       bk_stateless_delete}};
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
    if (bk_register_op(&ops[i], status) != 0) return -1;
  }
  return 0;
}
