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

/* Chunks per worker: enough that a worker slowed by other work on its core costs little. */
enum { BK_CHUNKS_PER_WORKER = 8 };

typedef struct {
  bk_range_fn fn;
  void* ctx;
  int64_t n;
  int64_t chunks;
  int dynamic;  /* chunks handed out as workers become free; else chunk i is worker i's */
  int64_t next; /* the next chunk to hand out (atomic) */
} chunked;

typedef struct {
  chunked* work;
  int worker;
} part;

static void* run_part(void* arg) {
  part* p = arg;
  chunked* w = p->work;
  if (!w->dynamic) {
    int64_t i = p->worker;
    w->fn(w->ctx, w->n * i / w->chunks, w->n * (i + 1) / w->chunks, p->worker);
    return NULL;
  }
  for (;;) {
    int64_t c = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED);
    if (c >= w->chunks) {
      return NULL;
    }
    w->fn(w->ctx, w->n * c / w->chunks, w->n * (c + 1) / w->chunks, p->worker);
  }
}

static void parallel(int64_t n, int64_t grain, bk_range_fn fn, void* ctx, int dynamic) {
  int w = bk_workers(n, grain);
  if (w == 1) {
    fn(ctx, 0, n, 0);
    return;
  }
  int64_t chunks = w;
  if (dynamic) {
    chunks = n / (grain < 1 ? 1 : grain);
    if (chunks > (int64_t)w * BK_CHUNKS_PER_WORKER) {
      chunks = (int64_t)w * BK_CHUNKS_PER_WORKER;
    }
  }
  chunked work = {fn, ctx, n, chunks, dynamic, 0};
  part parts[BK_MAX_THREADS];
  pthread_t ids[BK_MAX_THREADS];
  int started[BK_MAX_THREADS];
  for (int i = 0; i < w; i++) {
    parts[i] = (part){&work, i};
  }
  for (int i = 1; i < w; i++) {
    started[i] = pthread_create(&ids[i], NULL, run_part, &parts[i]) == 0;
  }
  run_part(&parts[0]);
  for (int i = 1; i < w; i++) {
    if (started[i]) {
      pthread_join(ids[i], NULL);
    } else if (!dynamic) {
      run_part(&parts[i]); /* a thread that could not start: its part runs here */
    } /* dynamic: the others took its chunks */
  }
}

void bk_parallel_for(int64_t n, int64_t grain, bk_range_fn fn, void* ctx) {
  parallel(n, grain, fn, ctx, 1);
}

void bk_parallel_for_static(int64_t n, int64_t grain, bk_range_fn fn, void* ctx) {
  parallel(n, grain, fn, ctx, 0);
}

/* A new status with the code and the formatted message (at most 511 characters); the caller
 * deletes it. */
static TF_Status* new_status(TF_Code code, const char* format, va_list args) {
  char msg[512];
  vsnprintf(msg, sizeof msg, format, args);
  TF_Status* s = TF_NewStatus();
  TF_SetStatus(s, code, msg);
  return s;
}

void bk_fail(TF_OpKernelContext* ctx, TF_Code code, const char* format, ...) {
  va_list args;
  va_start(args, format);
  TF_Status* s = new_status(code, format, args);
  va_end(args);
  TF_OpKernelContext_Failure(ctx, s);
  TF_DeleteStatus(s);
}

void bk_fail_construction(TF_OpKernelConstruction* ctx, const char* format, ...) {
  va_list args;
  va_start(args, format);
  TF_Status* s = new_status(TF_INVALID_ARGUMENT, format, args);
  va_end(args);
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

void bk_shape_outputs_like(TF_ShapeInferenceContext* ctx, TF_Status* status, int n,
                           const int* inputs) {
  TF_ShapeHandle* h = TF_NewShapeHandle();
  for (int i = 0; i < n && TF_GetCode(status) == TF_OK; i++) {
    TF_ShapeInferenceContextGetInput(ctx, inputs[i], h, status);
    if (TF_GetCode(status) == TF_OK) {
      TF_ShapeInferenceContextSetOutput(ctx, i, h, status);
    }
  }
  TF_DeleteShapeHandle(h);
}

void bk_shape_like_input1(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  bk_shape_outputs_like(ctx, status, 1, (const int[]){1});
}

void bk_shape_like_inputs1_2(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  bk_shape_outputs_like(ctx, status, 2, (const int[]){1, 2});
}

void bk_shape_two_per_row(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle* x = TF_NewShapeHandle();
  TF_ShapeInferenceContextGetInput(ctx, 0, x, status);
  if (TF_GetCode(status) == TF_OK && TF_ShapeInferenceContextRankKnown(ctx, x) &&
      TF_ShapeInferenceContextRank(ctx, x) < 1) {
    TF_SetStatus(status, TF_INVALID_ARGUMENT, "x must have rank >= 1 (it needs a class axis)");
  }
  TF_ShapeHandle* rows = TF_NewShapeHandle();
  if (TF_GetCode(status) == TF_OK) {
    TF_ShapeInferenceContextSubshape(ctx, x, 0, -1, rows, status);
  }
  for (int i = 0; i < 2 && TF_GetCode(status) == TF_OK; i++) {
    TF_ShapeInferenceContextSetOutput(ctx, i, rows, status);
  }
  TF_DeleteShapeHandle(rows);
  TF_DeleteShapeHandle(x);
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

int bk_get_labels(TF_OpKernelContext* ctx, const TF_Tensor* labels, int64_t rows, int64_t cols,
                  bk_labels* out) {
  TF_DataType lt = TF_TensorType(labels);
  if (lt != TF_INT32 && lt != TF_INT64) {
    bk_fail(ctx, TF_INVALID_ARGUMENT, "labels must be int32 or int64, got type %d", lt);
    return -1;
  }
  if (TF_TensorElementCount(labels) != rows) {
    bk_fail(ctx, TF_INVALID_ARGUMENT,
            "labels must have one entry per row of x (%lld), got %lld", (long long)rows,
            (long long)TF_TensorElementCount(labels));
    return -1;
  }
  out->data = TF_TensorData(labels);
  out->is64 = lt == TF_INT64;
  for (int64_t r = 0; r < rows; r++) {
    int64_t y = bk_label(out, r);
    if (y < 0 || y >= cols) {
      bk_fail(ctx, TF_INVALID_ARGUMENT,
              "labels must be in [0, %lld) (the number of classes), got %lld in row %lld",
              (long long)cols, (long long)y, (long long)r);
      return -1;
    }
  }
  return 0;
}

int bk_check_per_row(TF_OpKernelContext* ctx, const TF_Tensor* t, const char* name, int64_t rows) {
  if (TF_TensorElementCount(t) != rows) {
    bk_fail(ctx, TF_INVALID_ARGUMENT, "%s must have one entry per row of x (%lld), got %lld", name,
            (long long)rows, (long long)TF_TensorElementCount(t));
    return -1;
  }
  return 0;
}

int bk_register_op(const bk_op* op, TF_Status* status) {
  TF_OpDefinitionBuilder* b = TF_NewOpDefinitionBuilder(op->name);
  for (const char* const* i = op->inputs; *i != NULL; i++) {
    TF_OpDefinitionBuilderAddInput(b, *i);
  }
  for (const char* const* o = op->outputs; *o != NULL; o++) {
    TF_OpDefinitionBuilderAddOutput(b, *o);
  }
  for (const char* const* a = op->attrs; *a != NULL; a++) {
    TF_OpDefinitionBuilderAddAttr(b, *a);
  }
  TF_OpDefinitionBuilderSetShapeInferenceFunction(b, op->shape);
  TF_RegisterOpDefinition(b, status);
  if (TF_GetCode(status) != TF_OK) {
    return -1;
  }
  TF_RegisterKernelBuilder(
      op->name, TF_NewKernelBuilder(op->name, "CPU", op->create, op->compute, op->destroy), status);
  return TF_GetCode(status) == TF_OK ? 0 : -1;
}

void* bk_stateless_create(TF_OpKernelConstruction* ctx) {
  (void)ctx;
  return NULL;
}

void bk_stateless_delete(void* kernel) { (void)kernel; }

void* bk_state_new(TF_OpKernelConstruction* ctx, size_t size) {
  void* k = malloc(size);
  if (k == NULL) {
    bk_fail_construction(ctx, "out of memory");
  }
  return k;
}

void bk_state_delete(void* kernel) { free(kernel); }

bk_choice_kernel* bk_choice_create(TF_OpKernelConstruction* ctx, const char* attr,
                                   const char* const* names, int n) {
  char buf[64];
  if (bk_string_attr(ctx, attr, buf) != 0) {
    return NULL;
  }
  for (int i = 0; i < n; i++) {
    if (strcmp(buf, names[i]) == 0) {
      bk_choice_kernel* k = bk_state_new(ctx, sizeof *k);
      if (k != NULL) {
        k->choice = i;
      }
      return k;
    }
  }
  char list[256] = "";
  for (int i = 0; i < n; i++) {
    const char* sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
    size_t used = strlen(list);
    snprintf(list + used, sizeof list - used, "%s%s", sep, names[i]);
  }
  bk_fail_construction(ctx, "%s must be %s, got %s", attr, list, buf);
  return NULL;
}

/* Registers every op and kernel when TensorFlow.loadLibrary (TF_LoadLibrary) opens the library. */
__attribute__((constructor)) static void bk_register_all(void) {
  TF_Status* s = TF_NewStatus();
  if (bk_register_plif(s) != 0 || bk_register_softmax(s) != 0 || bk_register_thresholds(s) != 0 ||
      bk_register_sigsoftmax_ce(s) != 0 || bk_register_plif_ce(s) != 0 ||
      bk_register_entmax_bisect(s) != 0) {
    fprintf(stderr, "beyond-softmax kernels: registration failed: %s\n", TF_Message(s));
  }
  TF_DeleteStatus(s);
}
