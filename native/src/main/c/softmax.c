/*
 * Softmax, log-softmax, sigsoftmax and log-sigsoftmax (Kanai et al. 2018) over the last axis,
 * each in one kernel, and their backward: ops BeyondSoftmax and BeyondSoftmaxGrad.
 *
 * BeyondSoftmax(x: T; mode) -> (y: T, lse: T): with u = x (softmax modes) or
 * u = x + log sigmoid(x) (sigsoftmax modes), lse = log sum_j exp(u_j) per row (shape of x
 * without its last axis) and y = exp(u - lse) or, for the log modes, u - lse. -inf entries give
 * p = 0 / log p = -inf; a row that is all -inf gives p = 0, log p = -inf and lse = -inf.
 *
 * BeyondSoftmaxGrad(dy, x, lse; mode) -> dx: the vector-Jacobian product, recomputing p from x
 * and lse (no [N, M] tensor is kept from the forward pass but its input).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "vmath.h"

enum { BK_SOFTMAX, BK_LOG_SOFTMAX, BK_SIGSOFTMAX, BK_LOG_SIGSOFTMAX };

#define BK_ROWS "softmax_rows.h"
#include "softmax_types.h"
#undef BK_ROWS

static const char* const MODES[] = {"softmax", "log_softmax", "sigsoftmax", "log_sigsoftmax"};

/* The kernels' state: the mode, an index into MODES. */
static void* softmax_create(TF_OpKernelConstruction* ctx) {
  return bk_choice_create(ctx, "mode", MODES, 4);
}

typedef struct {
  int mode;
  int f32;
  int64_t cols;
  const void* dy;
  const void* x;
  void* y;   /* forward: y; backward: dx */
  void* lse; /* forward: written; backward: read */
} softmax_job;

static void softmax_part(void* arg, int64_t begin, int64_t end, int worker) {
  (void)worker;
  softmax_job* j = arg;
  int64_t m = j->cols;
  if (j->f32) {
    bk_softmax_rows_f32((const float*)j->x + begin * m, (float*)j->y + begin * m,
                        (float*)j->lse + begin, end - begin, m, j->mode);
  } else {
    bk_softmax_rows_f64((const double*)j->x + begin * m, (double*)j->y + begin * m,
                        (double*)j->lse + begin, end - begin, m, j->mode);
  }
}

static void softmax_grad_part(void* arg, int64_t begin, int64_t end, int worker) {
  (void)worker;
  softmax_job* j = arg;
  int64_t m = j->cols;
  if (j->f32) {
    bk_softmax_grad_rows_f32((const float*)j->dy + begin * m, (const float*)j->x + begin * m,
                             (const float*)j->lse + begin, (float*)j->y + begin * m, end - begin,
                             m, j->mode);
  } else {
    bk_softmax_grad_rows_f64((const double*)j->dy + begin * m, (const double*)j->x + begin * m,
                             (const double*)j->lse + begin, (double*)j->y + begin * m,
                             end - begin, m, j->mode);
  }
}

static void softmax_compute(void* kernel, TF_OpKernelContext* ctx) {
  bk_choice_kernel* k = kernel;
  TF_Tensor* x = NULL;
  TF_Tensor* out[2] = {NULL, NULL}; /* y, lse */
  int64_t rows, cols;
  if (bk_inputs(ctx, 1, &x) == 0 && bk_rows_cols(ctx, x, "x", &rows, &cols) == 0) {
    TF_DataType dtype = TF_TensorType(x);
    out[0] = bk_allocate(ctx, 0, dtype, x, 0);
    out[1] = out[0] != NULL ? bk_allocate(ctx, 1, dtype, x, 1) : NULL;
    if (out[1] != NULL) {
      softmax_job job = {k->choice, dtype == TF_FLOAT, cols, NULL, TF_TensorData(x),
                         TF_TensorData(out[0]), TF_TensorData(out[1])};
      bk_parallel_for(rows, bk_row_grain(cols), softmax_part, &job);
    }
  }
  bk_release(2, out);
  bk_release(1, &x);
}

static void softmax_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  bk_choice_kernel* k = kernel;
  TF_Tensor* in[3] = {NULL, NULL, NULL}; /* dy, x, lse */
  TF_Tensor* dx = NULL;
  int64_t rows, cols;
  if (bk_inputs(ctx, 3, in) == 0 && bk_rows_cols(ctx, in[1], "x", &rows, &cols) == 0) {
    if (TF_TensorElementCount(in[0]) != rows * cols) {
      bk_fail(ctx, TF_INVALID_ARGUMENT, "dy must have the shape of x");
    } else if (TF_TensorElementCount(in[2]) != rows) {
      bk_fail(ctx, TF_INVALID_ARGUMENT, "lse must have the shape of x without its last axis");
    } else {
      TF_DataType dtype = TF_TensorType(in[1]);
      dx = bk_allocate(ctx, 0, dtype, in[1], 0);
      if (dx != NULL) {
        softmax_job job = {k->choice, dtype == TF_FLOAT, cols, TF_TensorData(in[0]),
                           TF_TensorData(in[1]), TF_TensorData(dx), TF_TensorData(in[2])};
        bk_parallel_for(rows, bk_row_grain(cols), softmax_grad_part, &job);
      }
    }
  }
  bk_release(1, &dx);
  bk_release(3, in);
}

/* y: the shape of x; lse: x without its last axis; x must have rank >= 1. */
static void softmax_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle* x = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, 0, x, status);
  if (TF_GetCode(status) == TF_OK && TF_ShapeInferenceContextRankKnown(ctx, x) &&
      TF_ShapeInferenceContextRank(ctx, x) < 1) {
    TF_SetStatus(status, TF_INVALID_ARGUMENT, "x must have rank >= 1 (it needs a class axis)");
  }
  if (TF_GetCode(status) == TF_OK) {
    TF_ShapeInferenceContextSetOutput(ctx, 0, x, status);
  }
  if (TF_GetCode(status) == TF_OK) {
    TF_ShapeHandle* rows = TF_NewShapeHandle();
    TF_ShapeInferenceContextSubshape(ctx, x, 0, -1, rows, status);
    if (TF_GetCode(status) == TF_OK) {
      TF_ShapeInferenceContextSetOutput(ctx, 1, rows, status);
    }
    TF_DeleteShapeHandle(rows);
  }
  TF_DeleteShapeHandle(x);
}

static const char* const MODE_ATTRS[] = {
    "T: {float, double}", "mode: {'softmax', 'log_softmax', 'sigsoftmax', 'log_sigsoftmax'}",
    NULL};

int bk_register_softmax(TF_Status* status) {
  bk_op forward = {"BeyondSoftmax", (const char* const[]){"x: T", NULL},
                   (const char* const[]){"y: T", "lse: T", NULL}, MODE_ATTRS, softmax_shape,
                   softmax_create, softmax_compute, bk_state_delete};
  bk_op backward = {"BeyondSoftmaxGrad", (const char* const[]){"dy: T", "x: T", "lse: T", NULL},
                    (const char* const[]){"dx: T", NULL}, MODE_ATTRS, bk_shape_like_input1,
                    softmax_create, softmax_grad_compute, bk_state_delete};
  return bk_register_op(&forward, status) != 0 ? -1 : bk_register_op(&backward, status);
}
