/* Row-parallel loops on plain pthreads (the C API gives kernels no access to TensorFlow's
 * thread pools), the helpers every kernel file uses, and the library's entry point. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

enum { BK_MAX_THREADS = 64 };

static int threads;
static pthread_once_t threads_once = PTHREAD_ONCE_INIT;

static void init_threads(void) {
  const char* env = getenv("BEYOND_KERNEL_THREADS");
  long n = env != NULL ? strtol(env, NULL, 10) : 0;
  if (n <= 0) {
    cpu_set_t set;
    n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
  }
  threads = n < 1 ? 1 : (n > BK_MAX_THREADS ? BK_MAX_THREADS : (int)n);
}

int bk_workers(int64_t n, int64_t grain) {
  pthread_once(&threads_once, init_threads);
  if (grain < 1) {
    grain = 1;
  }
  int64_t w = n / grain;
  if (w > threads) {
    w = threads;
  }
  return w < 1 ? 1 : (int)w;
}

typedef struct {
  bk_range_fn fn;
  void* ctx;
  int64_t begin;
  int64_t end;
  int worker;
} part;

static void* run_part(void* arg) {
  part* p = arg;
  p->fn(p->ctx, p->begin, p->end, p->worker);
  return NULL;
}

void bk_parallel_for(int64_t n, int64_t grain, bk_range_fn fn, void* ctx) {
  int w = bk_workers(n, grain);
  if (w == 1) {
    fn(ctx, 0, n, 0);
    return;
  }
  part parts[BK_MAX_THREADS];
  pthread_t ids[BK_MAX_THREADS];
  int started[BK_MAX_THREADS];
  for (int i = 0; i < w; i++) {
    parts[i] = (part){fn, ctx, n * i / w, n * (i + 1) / w, i};
  }
  for (int i = 1; i < w; i++) {
    /* a thread that cannot be started runs its part on this thread below */
    started[i] = pthread_create(&ids[i], NULL, run_part, &parts[i]) == 0;
  }
  run_part(&parts[0]);
  for (int i = 1; i < w; i++) {
    if (started[i]) {
      pthread_join(ids[i], NULL);
    } else {
      run_part(&parts[i]);
    }
  }
}

void bk_fail(TF_OpKernelContext* ctx, TF_Code code, const char* format, ...) {
  char msg[512];
  va_list args;
  va_start(args, format);
  vsnprintf(msg, sizeof msg, format, args);
  va_end(args);
  TF_Status* s = TF_NewStatus();
  TF_SetStatus(s, code, msg);
  TF_OpKernelContext_Failure(ctx, s);
  TF_DeleteStatus(s);
}

void bk_fail_construction(TF_OpKernelConstruction* ctx, const char* format, ...) {
  char msg[512];
  va_list args;
  va_start(args, format);
  vsnprintf(msg, sizeof msg, format, args);
  va_end(args);
  TF_Status* s = TF_NewStatus();
  TF_SetStatus(s, TF_INVALID_ARGUMENT, msg);
  TF_OpKernelConstruction_Failure(ctx, s);
  TF_DeleteStatus(s);
}

int bk_rows_cols(TF_OpKernelContext* ctx, const TF_Tensor* x, const char* name, int64_t* rows,
                 int64_t* cols) {
  int rank = TF_NumDims(x);
  if (rank < 1) {
    bk_fail(ctx, TF_INVALID_ARGUMENT,
            "%s must have rank >= 1 (it needs a class axis), got a scalar", name);
    return -1;
  }
  int64_t r = 1;
  for (int i = 0; i < rank - 1; i++) {
    r *= TF_Dim(x, i);
  }
  *rows = r;
  *cols = TF_Dim(x, rank - 1);
  return 0;
}

int bk_string_attr(TF_OpKernelConstruction* ctx, const char* name, char buf[64]) {
  memset(buf, 0, 64);
  TF_Status* s = TF_NewStatus();
  TF_OpKernelConstruction_GetAttrString(ctx, name, buf, 63, s);
  int ok = TF_GetCode(s) == TF_OK;
  if (!ok) {
    TF_OpKernelConstruction_Failure(ctx, s);
  }
  TF_DeleteStatus(s);
  return ok ? 0 : -1;
}

void bk_shape_same_as_input0(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle* h = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, 0, h, status);
  if (TF_GetCode(status) == TF_OK) {
    TF_ShapeInferenceContextSetOutput(ctx, 0, h, status);
  }
  TF_DeleteShapeHandle(h);
}

int64_t bk_row_grain(int64_t cols) {
  int64_t g = cols > 0 ? (1 << 15) / cols : 1;
  return g < 1 ? 1 : g;
}

int bk_inputs(TF_OpKernelContext* ctx, int n, TF_Tensor** in) {
  TF_Status* s = TF_NewStatus();
  for (int i = 0; i < n && TF_GetCode(s) == TF_OK; i++) {
    TF_GetInput(ctx, i, &in[i], s);
  }
  int ok = TF_GetCode(s) == TF_OK;
  if (!ok) {
    TF_OpKernelContext_Failure(ctx, s);
  }
  TF_DeleteStatus(s);
  return ok ? 0 : -1;
}

void bk_release(int n, TF_Tensor** t) {
  for (int i = 0; i < n; i++) {
    if (t[i] != NULL) {
      TF_DeleteTensor(t[i]);
      t[i] = NULL;
    }
  }
}

TF_Tensor* bk_allocate(TF_OpKernelContext* ctx, int index, TF_DataType dtype,
                       const TF_Tensor* like, int drop_last) {
  int rank = TF_NumDims(like) - (drop_last ? 1 : 0);
  int64_t dims[64]; /* TensorFlow's maximum rank is 254; ours never exceed 64 */
  if (rank > 64) {
    bk_fail(ctx, TF_INVALID_ARGUMENT, "x must have rank <= 64, got %d", TF_NumDims(like));
    return NULL;
  }
  int64_t count = 1;
  for (int i = 0; i < rank; i++) {
    dims[i] = TF_Dim(like, i);
    count *= dims[i];
  }
  size_t size = dtype == TF_DOUBLE || dtype == TF_INT64 ? 8 : 4;
  TF_Status* s = TF_NewStatus();
  TF_Tensor* t = TF_AllocateOutput(ctx, index, dtype, dims, rank, size * (size_t)count, s);
  if (TF_GetCode(s) != TF_OK) {
    TF_OpKernelContext_Failure(ctx, s);
    if (t != NULL) TF_DeleteTensor(t);
    t = NULL;
  }
  TF_DeleteStatus(s);
  return t;
}

/* Registers every op and kernel when TensorFlow.loadLibrary (TF_LoadLibrary) opens the library. */
__attribute__((constructor)) static void bk_register_all(void) {
  TF_Status* s = TF_NewStatus();
  if (bk_register_plif(s) != 0 || bk_register_softmax(s) != 0 || bk_register_thresholds(s) != 0) {
    fprintf(stderr, "beyond-softmax kernels: registration failed: %s\n", TF_Message(s));
  }
  TF_DeleteStatus(s);
}
