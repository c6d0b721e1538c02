/*
 * Sigsoftmax cross-entropy (Kanai et al. 2018) in one kernel per direction: ops
 * BeyondSigsoftmaxCrossEntropy and BeyondSigsoftmaxCrossEntropyGrad, over the last axis.
 *
 * BeyondSigsoftmaxCrossEntropy(x: T, labels: Tlabels) -> (loss: T, lse: T), per row: with
 * u = x + log sigmoid(x), lse = log sum_j exp(u_j) and loss = lse - u_y. -inf entries drop out;
 * a label at a -inf entry gives +inf; a row that is all -inf gives lse = -inf and loss 0.
 *
 * BeyondSigsoftmaxCrossEntropyGrad(dloss, x, lse, labels) -> dx = dloss (p - onehot(y)) du/dx,
 * p = exp(u - lse), du/dx = 2 - sigmoid(x): one pass over x, no [N, M] tensor but dx.
 */
#include <math.h>
#include <stdlib.h>

#include "kernels.h"
#include "vmath.h"

/* u(x) = x + log sigmoid(x), in double, for any x. */
static inline double bk_log_sigmoid_shift(double x) {
  return x + (x < 0 ? x : 0) - log1p(exp(-fabs(x)));
}

#define BK_ROWS "sigsoftmax_ce_rows.h"
#include "softmax_types.h"
#undef BK_ROWS

typedef struct {
  int f32;
  int64_t cols;
  const void* x;
  bk_labels labels;
  const void* g;  /* backward: dloss per row */
  void* lse;      /* forward: written; backward: read */
  void* out;      /* forward: loss per row; backward: dx */
} sig_ce_job;

static void sig_ce_part(void* arg, int64_t begin, int64_t end, int worker) {
  (void)worker;
  sig_ce_job* j = arg;
  int64_t m = j->cols;
  for (int64_t r = begin; r < end; r++) {
    int64_t y = bk_label(&j->labels, r);
    double lse, xy;
    if (j->f32) {
      const float* x = (const float*)j->x + r * m;
      lse = sig_lse_row_f32(x, m);
      xy = x[y];
    } else {
      const double* x = (const double*)j->x + r * m;
      lse = sig_lse_row_f64(x, m);
      xy = x[y];
    }
    bk_set(j->f32, j->lse, r, lse);
    bk_set(j->f32, j->out, r, lse == -INFINITY ? 0 : lse - bk_log_sigmoid_shift(xy));
  }
}

static void sig_ce_grad_part(void* arg, int64_t begin, int64_t end, int worker) {
  (void)worker;
  sig_ce_job* j = arg;
  int64_t m = j->cols;
  for (int64_t r = begin; r < end; r++) {
    int64_t y = bk_label(&j->labels, r);
    if (j->f32) {
      sig_ce_grad_row_f32((const float*)j->x + r * m, (float*)j->out + r * m, m,
                          ((const float*)j->lse)[r], ((const float*)j->g)[r], y);
    } else {
      sig_ce_grad_row_f64((const double*)j->x + r * m, (double*)j->out + r * m, m,
                          ((const double*)j->lse)[r], ((const double*)j->g)[r], y);
    }
  }
}

static void sig_ce_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  TF_Tensor* in[2] = {NULL, NULL}; /* x, labels */
  TF_Tensor* out[2] = {NULL, NULL}; /* loss, lse */
  int64_t rows, cols;
  if (bk_inputs(ctx, 2, in) == 0 && bk_rows_cols(ctx, in[0], "x", &rows, &cols) == 0) {
    TF_DataType dtype = TF_TensorType(in[0]);
    sig_ce_job job = {dtype == TF_FLOAT, cols, TF_TensorData(in[0]), {NULL, 0}, NULL, NULL, NULL};
    if (bk_get_labels(ctx, in[1], rows, cols, &job.labels) == 0) {
      out[0] = bk_allocate(ctx, 0, dtype, in[0], 1);
      out[1] = out[0] != NULL ? bk_allocate(ctx, 1, dtype, in[0], 1) : NULL;
    }
    if (out[1] != NULL) {
      job.out = TF_TensorData(out[0]);
      job.lse = TF_TensorData(out[1]);
      bk_parallel_for(rows, bk_row_grain(cols), sig_ce_part, &job);
    }
  }
  bk_release(2, out);
  bk_release(2, in);
}

static void sig_ce_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  (void)kernel;
  TF_Tensor* in[4] = {NULL, NULL, NULL, NULL}; /* dloss, x, lse, labels */
  TF_Tensor* dx = NULL;
  int64_t rows, cols;
  if (bk_inputs(ctx, 4, in) == 0 && bk_rows_cols(ctx, in[1], "x", &rows, &cols) == 0) {
    TF_DataType dtype = TF_TensorType(in[1]);
    sig_ce_job job = {dtype == TF_FLOAT, cols, TF_TensorData(in[1]), {NULL, 0},
                      TF_TensorData(in[0]), TF_TensorData(in[2]), NULL};
    if (bk_check_per_row(ctx, in[0], "dloss", rows) == 0 &&
        bk_check_per_row(ctx, in[2], "lse", rows) == 0 &&
        bk_get_labels(ctx, in[3], rows, cols, &job.labels) == 0) {
      dx = bk_allocate(ctx, 0, dtype, in[1], 0);
      if (dx != NULL) {
        job.out = TF_TensorData(dx);
        bk_parallel_for(rows, bk_row_grain(cols), sig_ce_grad_part, &job);
      }
    }
  }
  bk_release(1, &dx);
  bk_release(4, in);
}

int bk_register_sigsoftmax_ce(TF_Status* status) {
  bk_op forward = {"BeyondSigsoftmaxCrossEntropy",
                   (const char* const[]){"x: T", "labels: Tlabels", NULL},
                   (const char* const[]){"loss: T", "lse: T", NULL}, BK_ATTRS_T_LABELS,
                   bk_shape_two_per_row, bk_stateless_create, sig_ce_compute,
                   bk_stateless_delete};
  bk_op backward = {"BeyondSigsoftmaxCrossEntropyGrad",
                    (const char* const[]){"dloss: T", "x: T", "lse: T", "labels: Tlabels", NULL},
                    (const char* const[]){"dx: T", NULL}, BK_ATTRS_T_LABELS, bk_shape_like_input1,
                    bk_stateless_create, sig_ce_grad_compute, bk_stateless_delete};
  return bk_register_op(&forward, status) != 0 ? -1 : bk_register_op(&backward, status);
}
