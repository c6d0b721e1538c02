/*
 * LMS-PLIF (Ganea et al. 2019) forward and backward kernels: ops BeyondPlif and BeyondPlifGrad.
 *
 * BeyondPlif(x: T, slopes_raw: T; range: string) -> y: T, elementwise over x of any shape with
 * K = size(slopes_raw) intervals of width delta = 2T/K on [-T, T] (T = range), slopes
 * s = softplus(slopes_raw): f(x) = s_i (x + T - i delta) + delta sum_{j<i} s_j,
 * i = clamp(floor((x + T)/delta), 0, K - 1), linear beyond +-T; -inf stays -inf.
 *
 * BeyondPlifGrad(dy, x, slopes_raw; range) -> (dx, dslopes_raw): dx = dy s_i and
 * dslopes_raw_j = sigmoid(v_j) [sum_{x: i=j} dy (x + T - j delta) + delta sum_{x: i>j} dy],
 * accumulated per interval by each thread (K sums, never a [size(x), K] array), then a reverse
 * prefix sum. The range is a string attribute so that it is exact in float64.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "vmath.h"

#define REAL float
#define SUFFIX f32
#define ACC float
#include "plif_rows.h"
#undef REAL
#undef SUFFIX
#undef ACC

#define REAL double
#define SUFFIX f64
#define ACC double
#include "plif_rows.h"
#undef REAL
#undef SUFFIX
#undef ACC

/* 2^24: every interval index is exact in float32 */
enum { PLIF_MAX_KNOTS = 1 << 24 };

typedef struct {
  double range;
} plif_kernel;

static void* plif_create(TF_OpKernelConstruction* ctx) {
  char buf[64];
  if (bk_string_attr(ctx, "range", buf) != 0) {
    return NULL;
  }
  char* end;
  double range = strtod(buf, &end);
  if (end == buf || *end != '\0' || !isfinite(range) || !(range > 0)) {
    bk_fail_construction(ctx, "range must be finite and > 0, got %s", buf);
    return NULL;
  }
  plif_kernel* k = malloc(sizeof *k);
  if (k == NULL) {
    bk_fail_construction(ctx, "out of memory");
    return NULL;
  }
  k->range = range;
  return k;
}

static void plif_delete(void* k) { free(k); }

/* The inputs shared by both kernels, validated. */
typedef struct {
  TF_Tensor* dy; /* backward only */
  TF_Tensor* x;
  TF_Tensor* v;
  int32_t knots;
  TF_DataType dtype;
} plif_inputs;

static void plif_release(plif_inputs* in) {
  bk_release(1, &in->dy);
  bk_release(1, &in->x);
  bk_release(1, &in->v);
}

static int plif_get_inputs(TF_OpKernelContext* ctx, int backward, plif_inputs* in) {
  memset(in, 0, sizeof *in);
  TF_Tensor* t[3] = {NULL, NULL, NULL};
  int ok = bk_inputs(ctx, backward ? 3 : 2, t) == 0;
  in->dy = backward ? t[0] : NULL;
  in->x = t[backward ? 1 : 0];
  in->v = t[backward ? 2 : 1];
  if (!ok) {
    return -1;
  }
  in->dtype = TF_TensorType(in->x);
  if (in->dtype != TF_FLOAT && in->dtype != TF_DOUBLE) {
    bk_fail(ctx, TF_INVALID_ARGUMENT, "x must be float32 or float64, got type %d", in->dtype);
    return -1;
  }
  if (TF_NumDims(in->v) != 1) {
    bk_fail(ctx, TF_INVALID_ARGUMENT,
            "slopes_raw must have rank 1 (one raw slope per interval), got rank %d",
            TF_NumDims(in->v));
    return -1;
  }
  int64_t k = TF_Dim(in->v, 0);
  if (k < 1 || k > PLIF_MAX_KNOTS) {
    bk_fail(ctx, TF_INVALID_ARGUMENT,
            "slopes_raw must have >= 1 entries (knots) and at most %d, got %lld", PLIF_MAX_KNOTS,
            (long long)k);
    return -1;
  }
  in->knots = (int32_t)k;
  if (backward && TF_TensorElementCount(in->dy) != TF_TensorElementCount(in->x)) {
    bk_fail(ctx, TF_INVALID_ARGUMENT, "dy must have the shape of x: %lld vs %lld elements",
            (long long)TF_TensorElementCount(in->dy), (long long)TF_TensorElementCount(in->x));
    return -1;
  }
  return 0;
}

/*
 * softplus(v), in double, stored in the input's type: with the offsets C_i = delta sum_{j<i} s_j
 * as (s_i, C_i) pairs (forward), or alone (backward).
 */
static void* plif_table(const plif_inputs* in, double delta, int pairs) {
  int32_t k = in->knots;
  int f32 = in->dtype == TF_FLOAT;
  int width = pairs ? 2 : 1;
  void* table = malloc((size_t)k * width * (f32 ? sizeof(float) : sizeof(double)));
  if (table == NULL) {
    return NULL;
  }
  const void* v = TF_TensorData(in->v);
  double sum = 0;
  for (int32_t i = 0; i < k; i++) {
    double vi = f32 ? ((const float*)v)[i] : ((const double*)v)[i];
    double s = (vi > 0 ? vi : 0) + bk_log1p01(bk_exp(-fabs(vi))); /* softplus */
    if (f32) {
      ((float*)table)[width * i] = (float)s;
    } else {
      ((double*)table)[width * i] = s;
    }
    if (pairs && f32) {
      ((float*)table)[2 * i + 1] = (float)(delta * sum);
    } else if (pairs) {
      ((double*)table)[2 * i + 1] = delta * sum;
    }
    sum += s;
  }
  return table;
}

typedef struct {
  const plif_inputs* in;
  const void* table;
  void* y;
  void* dx;
  void* acc; /* backward: one [2K] accumulator per worker */
  double t;
} plif_job;

static void plif_forward_part(void* arg, int64_t begin, int64_t end, int worker) {
  (void)worker;
  plif_job* j = arg;
  int32_t k = j->in->knots;
  if (j->in->dtype == TF_FLOAT) {
    float t = (float)j->t;
    float delta = (t + t) / (float)k;
    bk_plif_forward_f32((const float*)TF_TensorData(j->in->x) + begin, (float*)j->y + begin,
                        end - begin, j->table, k, t, delta);
  } else {
    double delta = (j->t + j->t) / (double)k;
    bk_plif_forward_f64((const double*)TF_TensorData(j->in->x) + begin, (double*)j->y + begin,
                        end - begin, j->table, k, j->t, delta);
  }
}

static void plif_backward_part(void* arg, int64_t begin, int64_t end, int worker) {
  plif_job* j = arg;
  int32_t k = j->in->knots;
  if (j->in->dtype == TF_FLOAT) {
    float t = (float)j->t;
    float delta = (t + t) / (float)k;
    bk_plif_backward_f32((const float*)TF_TensorData(j->in->dy) + begin,
                         (const float*)TF_TensorData(j->in->x) + begin, (float*)j->dx + begin,
                         end - begin, j->table, k, t, delta, (float*)j->acc + (size_t)worker * 2 * k);
  } else {
    double delta = (j->t + j->t) / (double)k;
    bk_plif_backward_f64((const double*)TF_TensorData(j->in->dy) + begin,
                         (const double*)TF_TensorData(j->in->x) + begin, (double*)j->dx + begin,
                         end - begin, j->table, k, j->t, delta,
                         (double*)j->acc + (size_t)worker * 2 * k);
  }
}

enum { PLIF_GRAIN = 1 << 15 };

static void plif_compute(void* kernel, TF_OpKernelContext* ctx) {
  plif_kernel* kern = kernel;
  plif_inputs in;
  if (plif_get_inputs(ctx, 0, &in) != 0) {
    plif_release(&in);
    return;
  }
  double t = kern->range;
  double delta = in.dtype == TF_FLOAT ? (double)(((float)t + (float)t) / (float)in.knots)
                                      : (t + t) / in.knots;
  TF_Tensor* y = bk_allocate(ctx, 0, in.dtype, in.x, 0);
  void* table = y != NULL ? plif_table(&in, delta, 1) : NULL;
  if (y != NULL && table == NULL) {
    bk_fail(ctx, TF_RESOURCE_EXHAUSTED, "out of memory for the PLIF table of %d knots", in.knots);
  }
  if (table != NULL) {
    plif_job job = {&in, table, TF_TensorData(y), NULL, NULL, t};
    bk_parallel_for(TF_TensorElementCount(in.x), PLIF_GRAIN, plif_forward_part, &job);
  }
  free(table);
  if (y != NULL) TF_DeleteTensor(y);
  plif_release(&in);
}

static void plif_grad_compute(void* kernel, TF_OpKernelContext* ctx) {
  plif_kernel* kern = kernel;
  plif_inputs in;
  if (plif_get_inputs(ctx, 1, &in) != 0) {
    plif_release(&in);
    return;
  }
  int32_t k = in.knots;
  int f32 = in.dtype == TF_FLOAT;
  size_t real = f32 ? sizeof(float) : sizeof(double);
  double t = kern->range;
  double delta = f32 ? (double)(((float)t + (float)t) / (float)k) : (t + t) / k;
  int64_t n = TF_TensorElementCount(in.x);
  /* a worker's accumulators cost O(K): give each at least max(grain, K) elements */
  int64_t grain = PLIF_GRAIN > k ? PLIF_GRAIN : k;
  int workers = bk_workers(n, grain);
  TF_Tensor* dx = bk_allocate(ctx, 0, in.dtype, in.x, 0);
  TF_Tensor* dv = dx != NULL ? bk_allocate(ctx, 1, in.dtype, in.v, 0) : NULL;
  void* table = dv != NULL ? plif_table(&in, delta, 0) : NULL;
  void* acc = table != NULL ? calloc((size_t)workers * 2 * k, real) : NULL;
  if (dv != NULL && acc == NULL) {
    bk_fail(ctx, TF_RESOURCE_EXHAUSTED, "out of memory for the PLIF gradient of %d knots", k);
  }
  if (acc != NULL) {
    plif_job job = {&in, table, NULL, TF_TensorData(dx), acc, t};
    bk_parallel_for(n, grain, plif_backward_part, &job);
    /* dv_j = sigmoid(v_j) (own_j + delta sum_{i>j} count_i), summed over the workers */
    const void* v = TF_TensorData(in.v);
    void* out = TF_TensorData(dv);
    double above = 0;
    for (int32_t j = k - 1; j >= 0; j--) {
      double own = 0, count = 0;
      for (int w = 0; w < workers; w++) {
        size_t at = ((size_t)w * k + j) * 2;
        own += f32 ? ((float*)acc)[at] : ((double*)acc)[at];
        count += f32 ? ((float*)acc)[at + 1] : ((double*)acc)[at + 1];
      }
      double vj = f32 ? ((const float*)v)[j] : ((const double*)v)[j];
      double g = (own + delta * above) / (1 + bk_exp(-vj));
      if (f32) {
        ((float*)out)[j] = (float)g;
      } else {
        ((double*)out)[j] = g;
      }
      above += count;
    }
  }
  free(acc);
  free(table);
  if (dv != NULL) TF_DeleteTensor(dv);
  if (dx != NULL) TF_DeleteTensor(dx);
  plif_release(&in);
}

/* y: the shape of x; slopes_raw: rank 1 with >= 1 entries when known. */
static void plif_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle* v = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, 1, v, status);
  if (TF_GetCode(status) == TF_OK && TF_ShapeInferenceContextRankKnown(ctx, v)) {
    int64_t rank = TF_ShapeInferenceContextRank(ctx, v);
    if (rank != 1) {
      TF_SetStatus(status, TF_INVALID_ARGUMENT,
                   "slopes_raw must have rank 1 (one raw slope per interval)");
    } else {
      TF_DimensionHandle* d = TF_NewDimensionHandle();
      TF_ShapeInferenceContextDim(ctx, v, 0, d);
      if (TF_DimensionHandleValueKnown(d) && TF_DimensionHandleValue(d) < 1) {
        TF_SetStatus(status, TF_INVALID_ARGUMENT, "slopes_raw must have >= 1 entries (knots), got 0");
      }
      TF_DeleteDimensionHandle(d);
    }
  }
  TF_DeleteShapeHandle(v);
  if (TF_GetCode(status) == TF_OK) {
    bk_shape_same_as_input0(ctx, status);
  }
}

/* dx: the shape of x (input 1); dslopes_raw: the shape of slopes_raw (input 2). */
static void plif_grad_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle* h = TF_NewShapeHandle();
  for (int i = 0; i < 2 && TF_GetCode(status) == TF_OK; i++) {
    TF_ShapeInferenceContextGetInput(ctx, i + 1, h, status);
    if (TF_GetCode(status) == TF_OK) {
      TF_ShapeInferenceContextSetOutput(ctx, i, h, status);
    }
  }
  TF_DeleteShapeHandle(h);
}

int bk_register_plif(TF_Status* status) {
  TF_OpDefinitionBuilder* op = TF_NewOpDefinitionBuilder("BeyondPlif");
  TF_OpDefinitionBuilderAddInput(op, "x: T");
  TF_OpDefinitionBuilderAddInput(op, "slopes_raw: T");
  TF_OpDefinitionBuilderAddOutput(op, "y: T");
  TF_OpDefinitionBuilderAddAttr(op, "T: {float, double}");
  TF_OpDefinitionBuilderAddAttr(op, "range: string");
  TF_OpDefinitionBuilderSetShapeInferenceFunction(op, plif_shape);
  TF_RegisterOpDefinition(op, status);
  if (TF_GetCode(status) != TF_OK) return -1;

  op = TF_NewOpDefinitionBuilder("BeyondPlifGrad");
  TF_OpDefinitionBuilderAddInput(op, "dy: T");
  TF_OpDefinitionBuilderAddInput(op, "x: T");
  TF_OpDefinitionBuilderAddInput(op, "slopes_raw: T");
  TF_OpDefinitionBuilderAddOutput(op, "dx: T");
  TF_OpDefinitionBuilderAddOutput(op, "dslopes_raw: T");
  TF_OpDefinitionBuilderAddAttr(op, "T: {float, double}");
  TF_OpDefinitionBuilderAddAttr(op, "range: string");
  TF_OpDefinitionBuilderSetShapeInferenceFunction(op, plif_grad_shape);
  TF_RegisterOpDefinition(op, status);
  if (TF_GetCode(status) != TF_OK) return -1;

  TF_RegisterKernelBuilder("BeyondPlif",
                           TF_NewKernelBuilder("BeyondPlif", "CPU", plif_create, plif_compute,
                                               plif_delete),
                           status);
  if (TF_GetCode(status) != TF_OK) return -1;
  TF_RegisterKernelBuilder("BeyondPlifGrad",
                           TF_NewKernelBuilder("BeyondPlifGrad", "CPU", plif_create,
                                               plif_grad_compute, plif_delete),
                           status);
  return TF_GetCode(status) == TF_OK ? 0 : -1;
}
