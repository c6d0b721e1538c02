/*
 * Cross-entropy of PLIF-transformed logits (the LMS-PLIF head's loss, Ganea et al. 2019) fused
 * into one kernel per direction: ops BeyondPlifCrossEntropy and BeyondPlifCrossEntropyGrad.
 *
 * BeyondPlifCrossEntropy(x: T, labels: Tlabels, slopes_raw: T; range) -> (loss: T, lse: T),
 * per row of x (classes last): with f the PLIF function of slopes_raw and range (see plif.c),
 * lse = log sum_j exp(f(x_j)) and loss = lse - f(x_y), in one pass over x (the PLIF lookup, the
 * running sum); -inf entries drop out, a row that is all -inf gives lse = -inf and loss 0.
 *
 * BeyondPlifCrossEntropyGrad(dloss, x, slopes_raw, lse, labels; range) -> (dx, dslopes_raw):
 * with gz = dloss (p - onehot(y)), p = exp(f(x) - lse): dx = gz s_i and
 * dslopes_raw_j = sigmoid(v_j) [sum_{x: i=j} gz (x + T - j delta) + delta sum_{x: i>j} gz],
 * accumulated per interval by each thread (2K sums, never an [N, M] tensor but dx), then merged.
 */
#include <math.h>
#include <stdlib.h>

#include "kernels.h"
#include "plif.h"
#include "vmath.h"

#define REAL float
#define SUFFIX f32
#define EXP bk_expf
#define ACC float
#include "plif_ce_rows.h"
#undef REAL
#undef SUFFIX
#undef EXP
#undef ACC

#define REAL double
#define SUFFIX f64
#define EXP bk_exp
#define ACC double
#include "plif_ce_rows.h"
#undef REAL
#undef SUFFIX
#undef EXP
#undef ACC

typedef struct {
  int f32;
  int64_t cols;
  int32_t knots;
  double t;
  double delta;
  const void* table;
  const void* x;
  bk_labels labels;
  const void* g;   /* backward: dloss per row */
  void* lse;       /* forward: written; backward: read */
  void* out;       /* forward: loss per row; backward: dx */
  void* acc;       /* backward: one [2K] accumulator per worker */
} plif_ce_job;

static void plif_ce_part(void* arg, int64_t begin, int64_t end, int worker) {
  (void)worker;
  plif_ce_job* j = arg;
  int64_t m = j->cols;
  int32_t k = j->knots;
  for (int64_t r = begin; r < end; r++) {
    int64_t y = bk_label(&j->labels, r);
    double lse, fy;
    if (j->f32) {
      const float* x = (const float*)j->x + r * m;
      float t = (float)j->t, delta = (float)j->delta;
      lse = plif_lse_row_f32(x, m, j->table, k, t, delta);
      fy = plif_value_f32(x[y], j->table, k, t, delta, (float)(k - 1));
    } else {
      const double* x = (const double*)j->x + r * m;
      lse = plif_lse_row_f64(x, m, j->table, k, j->t, j->delta);
      fy = plif_value_f64(x[y], j->table, k, j->t, j->delta, (double)(k - 1));
    }
    bk_set(j->f32, j->lse, r, lse);
    bk_set(j->f32, j->out, r, lse == -INFINITY ? 0 : lse - fy);
  }
}

static void plif_ce_grad_part(void* arg, int64_t begin, int64_t end, int worker) {
  plif_ce_job* j = arg;
  int64_t m = j->cols;
  int32_t k = j->knots;
  for (int64_t r = begin; r < end; r++) {
    int64_t y = bk_label(&j->labels, r);
    if (j->f32) {
      plif_ce_grad_row_f32((const float*)j->x + r * m, (float*)j->out + r * m, m, j->table, k,
                           (float)j->t, (float)j->delta, ((const float*)j->lse)[r],
                           ((const float*)j->g)[r], y, (float*)j->acc + (size_t)worker * 2 * k);
    } else {
      plif_ce_grad_row_f64((const double*)j->x + r * m, (double*)j->out + r * m, m, j->table, k,
                           j->t, j->delta, ((const double*)j->lse)[r], ((const double*)j->g)[r],
                           y, (double*)j->acc + (size_t)worker * 2 * k);
    }
  }
}

/* Rows per worker: the row grain, and at least K entries (a worker's accumulators cost O(K)). */
static int64_t plif_ce_grain(int64_t cols, int32_t k) {
  int64_t g = bk_row_grain(cols);
  int64_t by_knots = cols > 0 ? (k + cols - 1) / cols : 1;
  return g > by_knots ? g : by_knots;
}

/* Reads the n inputs (x is input xi, slopes_raw input 2) and starts the job with what both
 * directions take from them: dtype, columns, knots, range, delta and x; 0 on success, -1 after
 * failing ctx. */
static int plif_ce_start(const bk_plif_kernel* kern, TF_OpKernelContext* ctx, int n,
                         TF_Tensor** in, int xi, int64_t* rows, plif_ce_job* job) {
  int64_t cols;
  int32_t k;
  if (bk_inputs(ctx, n, in) != 0 || bk_rows_cols(ctx, in[xi], "x", rows, &cols) != 0 ||
      (k = bk_plif_knots(ctx, in[2])) <= 0) {
    return -1;
  }
  int f32 = TF_TensorType(in[xi]) == TF_FLOAT;
  *job = (plif_ce_job){f32, cols, k, kern->range, bk_plif_delta(kern->range, k, f32), NULL,
                       TF_TensorData(in[xi]), {NULL, 0}, NULL, NULL, NULL, NULL};
  return 0;
}

static void plif_ce_compute(void* kernel, TF_OpKernelContext* ctx) {
  bk_plif_kernel* kern = kernel;
  TF_Tensor* in[3] = {NULL, NULL, NULL};  /* x, labels, slopes_raw */
  TF_Tensor* out[2] = {NULL, NULL};       /* loss, lse */
  void* table = NULL;
  int64_t rows;
  plif_ce_job job;
  if (plif_ce_start(kern, ctx, 3, in, 0, &rows, &job) == 0) {
    TF_DataType dtype = TF_TensorType(in[0]);
    if (bk_get_labels(ctx, in[1], rows, job.cols, &job.labels) == 0) {
      out[0] = bk_allocate(ctx, 0, dtype, in[0], 1);
      out[1] = out[0] != NULL ? bk_allocate(ctx, 1, dtype, in[0], 1) : NULL;
    }
    table = out[1] != NULL ? bk_plif_table(in[2], job.knots, job.f32, job.delta, 1) : NULL;
    if (out[1] != NULL && table == NULL) {
      bk_fail(ctx, TF_RESOURCE_EXHAUSTED, "out of memory for the PLIF table of %d knots",
              job.knots);
    }
    if (table != NULL) {
      job.table = table;
      job.out = TF_TensorData(out[0]);
      job.lse = TF_TensorData(out[1]);
      bk_parallel_for(rows, bk_row_grain(job.cols), plif_ce_part, &job);
    }
  }
  free(table);
  bk_release(2, out);
  bk_release(3, in);
}

static void plif_ce_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  bk_plif_kernel* kern = kernel;
  TF_Tensor* in[5] = {NULL, NULL, NULL, NULL, NULL}; /* dloss, x, slopes_raw, lse, labels */
  TF_Tensor* out[2] = {NULL, NULL};                  /* dx, dslopes_raw */
  void* table = NULL;
  void* acc = NULL;
  int64_t rows;
  plif_ce_job job;
  if (plif_ce_start(kern, ctx, 5, in, 1, &rows, &job) == 0) {
    TF_DataType dtype = TF_TensorType(in[1]);
    int64_t cols = job.cols;
    int32_t k = job.knots;
    int f32 = job.f32;
    job.g = TF_TensorData(in[0]);
    job.lse = TF_TensorData(in[3]);
    int64_t grain = plif_ce_grain(cols, k);
    int workers = bk_workers(rows, grain);
    if (bk_check_per_row(ctx, in[0], "dloss", rows) == 0 &&
        bk_check_per_row(ctx, in[3], "lse", rows) == 0 &&
        bk_get_labels(ctx, in[4], rows, cols, &job.labels) == 0) {
      out[0] = bk_allocate(ctx, 0, dtype, in[1], 0);
      out[1] = out[0] != NULL ? bk_allocate(ctx, 1, dtype, in[2], 0) : NULL;
    }
    if (out[1] != NULL) {
      table = bk_plif_table(in[2], k, f32, job.delta, 1);
      acc = table != NULL ? calloc((size_t)workers * 2 * k, f32 ? sizeof(float) : sizeof(double))
                          : NULL;
      if (acc == NULL) {
        bk_fail(ctx, TF_RESOURCE_EXHAUSTED, "out of memory for the PLIF gradient of %d knots", k);
      }
    }
    if (acc != NULL) {
      job.table = table;
      job.out = TF_TensorData(out[0]);
      job.acc = acc;
      bk_parallel_for_static(rows, grain, plif_ce_grad_part, &job);
      bk_plif_slope_gradient(acc, workers, k, f32, job.delta, in[2], out[1]);
    }
  }
  free(acc);
  free(table);
  bk_release(2, out);
  bk_release(5, in);
}

/* (loss, lse): x without its last axis; slopes_raw (input 2): rank 1, >= 1 entries. */
static void plif_ce_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  bk_plif_check_slopes_shape(ctx, 2, status);
  if (TF_GetCode(status) == TF_OK) {
    bk_shape_two_per_row(ctx, status);
  }
}

int bk_register_plif_ce(TF_Status* status) {
  static const char* const attrs[] = {"T: {float, double}", "Tlabels: {int32, int64}",
                                      "range: string", NULL};
  bk_op forward = {"BeyondPlifCrossEntropy",
                   (const char* const[]){"x: T", "labels: Tlabels", "slopes_raw: T", NULL},
                   (const char* const[]){"loss: T", "lse: T", NULL}, attrs, plif_ce_shape,
                   bk_plif_create, plif_ce_compute, bk_state_delete};
  bk_op backward = {
      "BeyondPlifCrossEntropyGrad",
      (const char* const[]){"dloss: T", "x: T", "slopes_raw: T", "lse: T", "labels: Tlabels",
                            NULL},
      (const char* const[]){"dx: T", "dslopes_raw: T", NULL}, attrs, bk_shape_like_inputs1_2,
      bk_plif_create, plif_ce_grad_compute, bk_state_delete};
  return bk_register_op(&forward, status) != 0 ? -1 : bk_register_op(&backward, status);
}
