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
#include "plif.h"
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

void* bk_plif_create(TF_OpKernelConstruction* ctx) {
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
  bk_plif_kernel* k = bk_state_new(ctx, sizeof *k);
  if (k != NULL) {
    k->range = range;
  }
  return k;
}

int32_t bk_plif_knots(TF_OpKernelContext* ctx, const TF_Tensor* v) {
  if (TF_NumDims(v) != 1) {
    bk_fail(ctx, TF_INVALID_ARGUMENT,
            "slopes_raw must have rank 1 (one raw slope per interval), got rank %d",
            TF_NumDims(v));
    return -1;
  }
  int64_t k = TF_Dim(v, 0);
  if (k < 1 || k > PLIF_MAX_KNOTS) {
    bk_fail(ctx, TF_INVALID_ARGUMENT,
            "slopes_raw must have >= 1 entries (knots) and at most %d, got %lld", PLIF_MAX_KNOTS,
            (long long)k);
    return -1;
  }
  return (int32_t)k;
}

double bk_plif_delta(double t, int32_t k, int f32) {
  return f32 ? (double)(((float)t + (float)t) / (float)k) : (t + t) / k;
}

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

/* Checks the inputs and reads their dtype and knots; 0 on success, -1 after failing ctx. */
static int plif_check_inputs(TF_OpKernelContext* ctx, int backward, plif_inputs* in) {
  in->dtype = TF_TensorType(in->x);
  if (in->dtype != TF_FLOAT && in->dtype != TF_DOUBLE) {
    bk_fail(ctx, TF_INVALID_ARGUMENT, "x must be float32 or float64, got type %d", in->dtype);
    return -1;
  }
  in->knots = bk_plif_knots(ctx, in->v);
  if (in->knots < 0) {
    return -1;
  }
  if (backward && TF_TensorElementCount(in->dy) != TF_TensorElementCount(in->x)) {
    bk_fail(ctx, TF_INVALID_ARGUMENT, "dy must have the shape of x: %lld vs %lld elements",
            (long long)TF_TensorElementCount(in->dy), (long long)TF_TensorElementCount(in->x));
    return -1;
  }
  return 0;
}

/* Reads and checks the inputs (backward: dy, x, v; forward: x, v); 0 on success, -1 after failing
 * ctx and releasing them. */
static int plif_get_inputs(TF_OpKernelContext* ctx, int backward, plif_inputs* in) {
  memset(in, 0, sizeof *in);
  TF_Tensor* t[3] = {NULL, NULL, NULL};
  int ok = bk_inputs(ctx, backward ? 3 : 2, t) == 0;
  in->dy = backward ? t[0] : NULL;
  in->x = t[backward ? 1 : 0];
  in->v = t[backward ? 2 : 1];
  if (ok && plif_check_inputs(ctx, backward, in) == 0) {
    return 0;
  }
  plif_release(in);
  return -1;
}

/* softplus(v) of the k raw slopes into s[], in double (vectorized: K can be 10^5 and more). */
BK_HOT static void plif_softplus(const void* v, int f32, int32_t k, double* restrict s) {
  if (f32) {
    const float* restrict vf = v;
#pragma omp simd
    for (int32_t i = 0; i < k; i++) {
      double vi = vf[i];
      s[i] = (vi > 0 ? vi : 0) + bk_log1p01(bk_exp(-fabs(vi)));
    }
  } else {
    const double* restrict vd = v;
#pragma omp simd
    for (int32_t i = 0; i < k; i++) {
      double vi = vd[i];
      s[i] = (vi > 0 ? vi : 0) + bk_log1p01(bk_exp(-fabs(vi)));
    }
  }
}

void* bk_plif_table(const TF_Tensor* slopes_raw, int32_t k, int f32, double delta, int pairs) {
  int width = pairs ? 2 : 1;
  void* table = malloc((size_t)k * width * (f32 ? sizeof(float) : sizeof(double)));
  double* s = malloc((size_t)k * sizeof(double));
  if (table == NULL || s == NULL) {
    free(table);
    free(s);
    return NULL;
  }
  plif_softplus(TF_TensorData(slopes_raw), f32, k, s);
  double sum = 0;
  for (int32_t i = 0; i < k; i++) {
    if (f32) {
      ((float*)table)[width * i] = (float)s[i];
    } else {
      ((double*)table)[width * i] = s[i];
    }
    if (pairs && f32) {
      ((float*)table)[2 * i + 1] = (float)(delta * sum);
    } else if (pairs) {
      ((double*)table)[2 * i + 1] = delta * sum;
    }
    sum += s[i];
  }
  free(s);
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
  bk_plif_kernel* kern = kernel;
  plif_inputs in;
  if (plif_get_inputs(ctx, 0, &in) != 0) {
    return;
  }
  double t = kern->range;
  int f32 = in.dtype == TF_FLOAT;
  double delta = bk_plif_delta(t, in.knots, f32);
  TF_Tensor* y = bk_allocate(ctx, 0, in.dtype, in.x, 0);
  void* table = y != NULL ? bk_plif_table(in.v, in.knots, f32, delta, 1) : NULL;
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
  bk_plif_kernel* kern = kernel;
  plif_inputs in;
  if (plif_get_inputs(ctx, 1, &in) != 0) {
    return;
  }
  int32_t k = in.knots;
  int f32 = in.dtype == TF_FLOAT;
  size_t real = f32 ? sizeof(float) : sizeof(double);
  double t = kern->range;
  double delta = bk_plif_delta(t, k, f32);
  int64_t n = TF_TensorElementCount(in.x);
  /* a worker's accumulators cost O(K): give each at least max(grain, K) elements */
  int64_t grain = PLIF_GRAIN > k ? PLIF_GRAIN : k;
  int workers = bk_workers(n, grain);
  TF_Tensor* dx = bk_allocate(ctx, 0, in.dtype, in.x, 0);
  TF_Tensor* dv = dx != NULL ? bk_allocate(ctx, 1, in.dtype, in.v, 0) : NULL;
  void* table = dv != NULL ? bk_plif_table(in.v, k, f32, delta, 0) : NULL;
  void* acc = table != NULL ? calloc((size_t)workers * 2 * k, real) : NULL;
  if (dv != NULL && acc == NULL) {
    bk_fail(ctx, TF_RESOURCE_EXHAUSTED, "out of memory for the PLIF gradient of %d knots", k);
  }
  if (acc != NULL) {
    plif_job job = {&in, table, NULL, TF_TensorData(dx), acc, t};
    bk_parallel_for_static(n, grain, plif_backward_part, &job);
    bk_plif_slope_gradient(acc, workers, k, f32, delta, in.v, dv);
  }
  free(acc);
  free(table);
  if (dv != NULL) TF_DeleteTensor(dv);
  if (dx != NULL) TF_DeleteTensor(dx);
  plif_release(&in);
}

/* sigmoid(v) of the k raw slopes into out[], in the element type (vectorized). */
BK_HOT static void plif_sigmoid(const void* v, int f32, int32_t k, void* out) {
  if (f32) {
    const float* restrict vf = v;
    float* restrict o = out;
#pragma omp simd
    for (int32_t j = 0; j < k; j++) {
      o[j] = 1 / (1 + bk_expf(-vf[j]));
    }
  } else {
    const double* restrict vd = v;
    double* restrict o = out;
#pragma omp simd
    for (int32_t j = 0; j < k; j++) {
      o[j] = 1 / (1 + bk_exp(-vd[j]));
    }
  }
}

void bk_plif_slope_gradient(const void* acc, int workers, int32_t k, int f32, double delta,
                            const TF_Tensor* slopes_raw, TF_Tensor* dv) {
  /* dv_j = sigmoid(v_j) (own_j + delta sum_{i>j} count_i), summed over the workers */
  void* out = TF_TensorData(dv);
  plif_sigmoid(TF_TensorData(slopes_raw), f32, k, out);
  double above = 0;
  for (int32_t j = k - 1; j >= 0; j--) {
    double own = 0, count = 0;
    for (int w = 0; w < workers; w++) {
      size_t at = ((size_t)w * k + j) * 2;
      own += f32 ? ((const float*)acc)[at] : ((const double*)acc)[at];
      count += f32 ? ((const float*)acc)[at + 1] : ((const double*)acc)[at + 1];
    }
    if (f32) {
      ((float*)out)[j] = (float)(((float*)out)[j] * (own + delta * above));
    } else {
      ((double*)out)[j] *= own + delta * above;
    }
    above += count;
  }
}

void bk_plif_check_slopes_shape(TF_ShapeInferenceContext* ctx, int index, TF_Status* status) {
  TF_ShapeHandle* v = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, index, v, status);
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
}

/* y: the shape of x; slopes_raw: rank 1 with >= 1 entries when known. */
static void plif_shape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  bk_plif_check_slopes_shape(ctx, 1, status);
  if (TF_GetCode(status) == TF_OK) {
    bk_shape_same_as_input0(ctx, status);
  }
}

int bk_register_plif(TF_Status* status) {
  static const char* const attrs[] = {"T: {float, double}", "range: string", NULL};
  bk_op forward = {"BeyondPlif", (const char* const[]){"x: T", "slopes_raw: T", NULL},
                   (const char* const[]){"y: T", NULL}, attrs, plif_shape, bk_plif_create,
                   plif_compute, bk_state_delete};
  bk_op backward = {"BeyondPlifGrad", (const char* const[]){"dy: T", "x: T", "slopes_raw: T", NULL},
                    (const char* const[]){"dx: T", "dslopes_raw: T", NULL}, attrs,
                    bk_shape_like_inputs1_2, bk_plif_create, plif_grad_compute, bk_state_delete};
  return bk_register_op(&forward, status) != 0 ? -1 : bk_register_op(&backward, status);
}
