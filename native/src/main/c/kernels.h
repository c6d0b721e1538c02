/*
 * Shared declarations of the beyond-softmax CPU kernels: the row-parallel loop, status helpers
 * and the entry points each kernel file registers.
 */
#ifndef BEYOND_KERNELS_H_
#define BEYOND_KERNELS_H_

#include <stdint.h>

#include "tf_c_api.h"

/* Hot loops are compiled three times, for x86-64-v4 (AVX-512), x86-64-v3 (AVX2, FMA) and
 * baseline x86-64, and picked at load time (an ifunc). */
#if defined(__x86_64__) && !defined(BK_NO_CLONES)
#define BK_HOT __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define BK_HOT
#endif

/* fn(ctx, begin, end, worker) over a contiguous part of [0, n). */
typedef void (*bk_range_fn)(void* ctx, int64_t begin, int64_t end, int worker);

/*
 * The number of workers bk_parallel_for uses for n items of which each worker should get at
 * least `grain`: min(threads, n / grain), at least 1. Threads: the CPUs this process may run
 * on, or BEYOND_KERNEL_THREADS when set.
 */
int bk_workers(int64_t n, int64_t grain);

/* Runs fn over [0, n) in contiguous chunks of at least `grain` items (up to 8 per worker),
 * handed out to bk_workers(n, grain) threads as each becomes free (the caller's thread is
 * worker 0), and returns when all are done: fn may run several times for one worker, never
 * twice at once. Which items a worker gets varies from run to run: for work whose result does
 * not depend on it. */
void bk_parallel_for(int64_t n, int64_t grain, bk_range_fn fn, void* ctx);

/* As bk_parallel_for, but worker i always gets the i-th of bk_workers(n, grain) equal
 * contiguous parts, once: for per-worker sums that must come out the same in every run. */
void bk_parallel_for_static(int64_t n, int64_t grain, bk_range_fn fn, void* ctx);

/* Fails the kernel with `code` and a printf-style message. */
void bk_fail(TF_OpKernelContext* ctx, TF_Code code, const char* format, ...)
    __attribute__((format(printf, 3, 4)));

/* Fails kernel construction with TF_INVALID_ARGUMENT and a printf-style message. */
void bk_fail_construction(TF_OpKernelConstruction* ctx, const char* format, ...)
    __attribute__((format(printf, 2, 3)));

/* Rows and columns of x viewed as [rows, M], M the last axis; 0 on success, -1 (after failing
 * ctx with a message naming `name`) when x has rank 0. */
int bk_rows_cols(TF_OpKernelContext* ctx, const TF_Tensor* x, const char* name, int64_t* rows,
                 int64_t* cols);

/* Rows per worker for rows of `cols` entries: at least 2^15 entries each. */
int64_t bk_row_grain(int64_t cols);

/* Inputs 0 .. n - 1 into in[] (owned by the caller: bk_release); 0 on success, else fails ctx. */
int bk_inputs(TF_OpKernelContext* ctx, int n, TF_Tensor** in);

/* Deletes the non-null tensors t[0 .. n - 1] and sets them to null. */
void bk_release(int n, TF_Tensor** t);

/* Allocates output `index` with the shape of `like`, without its last axis when drop_last;
 * NULL after failing ctx. */
TF_Tensor* bk_allocate(TF_OpKernelContext* ctx, int index, TF_DataType dtype,
                       const TF_Tensor* like, int drop_last);

/* a[i] of float (f32) or double data. */
static inline double bk_get(int f32, const void* a, int64_t i) {
  return f32 ? ((const float*)a)[i] : ((const double*)a)[i];
}

/* a[i] = v, for float (f32, rounded) or double data. */
static inline void bk_set(int f32, void* a, int64_t i, double v) {
  if (f32) {
    ((float*)a)[i] = (float)v;
  } else {
    ((double*)a)[i] = v;
  }
}

/* Integer class labels, one per row: int32 or int64 data. */
typedef struct {
  const void* data;
  int is64;
} bk_labels;

static inline int64_t bk_label(const bk_labels* l, int64_t row) {
  return l->is64 ? ((const int64_t*)l->data)[row] : ((const int32_t*)l->data)[row];
}

/* Reads `labels` (int32 or int64, one per row, each in [0, cols)) into out; 0 when valid, else
 * fails ctx with a message naming labels. */
int bk_get_labels(TF_OpKernelContext* ctx, const TF_Tensor* labels, int64_t rows, int64_t cols,
                  bk_labels* out);

/* 0 when `t` (named `name`) has one entry per row (`rows`), else fails ctx saying so. */
int bk_check_per_row(TF_OpKernelContext* ctx, const TF_Tensor* t, const char* name, int64_t rows);

/* Reads a string attribute of at most 63 characters into buf[64]; 0 on success. */
int bk_string_attr(TF_OpKernelConstruction* ctx, const char* name, char buf[64]);

/* An op and its CPU kernel: the name, inputs, outputs and attributes as TensorFlow's op
 * definitions spell them ("x: T", "T: {float, double}"; each list NULL-terminated), the shape
 * function, and the kernel's functions. */
typedef struct {
  const char* name;
  const char* const* inputs;
  const char* const* outputs;
  const char* const* attrs;
  void (*shape)(TF_ShapeInferenceContext* ctx, TF_Status* status);
  void* (*create)(TF_OpKernelConstruction* ctx);
  void (*compute)(void* kernel, TF_OpKernelContext* ctx);
  void (*destroy)(void* kernel);
} bk_op;

/* Registers the op definition and its CPU kernel; 0 on success, else status says why. */
int bk_register_op(const bk_op* op, TF_Status* status);

/* The attribute lists most ops take. */
#define BK_ATTRS_T ((const char* const[]){"T: {float, double}", NULL})
#define BK_ATTRS_T_LABELS \
  ((const char* const[]){"T: {float, double}", "Tlabels: {int32, int64}", NULL})

/* A kernel without state: create returns NULL, destroy does nothing. */
void* bk_stateless_create(TF_OpKernelConstruction* ctx);
void bk_stateless_delete(void* kernel);

/* A kernel's state of `size` bytes (malloc); NULL, with the construction failed ("out of memory"),
 * when there is no memory. bk_state_delete frees it. */
void* bk_state_new(TF_OpKernelConstruction* ctx, size_t size);
void bk_state_delete(void* kernel);

/* The state of a kernel whose string attribute picks one of a list of names: the index. */
typedef struct {
  int choice;
} bk_choice_kernel;

/* Reads the string attribute `attr` and finds it among names[0..n): a new state with its index
 * (freed by bk_state_delete), or NULL after failing ctx with "ATTR must be A, B or C, got X". */
bk_choice_kernel* bk_choice_create(TF_OpKernelConstruction* ctx, const char* attr,
                                   const char* const* names, int n);

/* Registration of each family's ops and kernels; 0 on success. */
int bk_register_plif(TF_Status* status);
int bk_register_softmax(TF_Status* status);
int bk_register_thresholds(TF_Status* status);
int bk_register_sigsoftmax_ce(TF_Status* status);
int bk_register_plif_ce(TF_Status* status);
int bk_register_entmax_bisect(TF_Status* status);

/* Shape function: output 0 has the shape of input 0. */
void bk_shape_same_as_input0(TF_ShapeInferenceContext* ctx, TF_Status* status);

/* Shape function part: output i has the shape of input inputs[i], for i < n. */
void bk_shape_outputs_like(TF_ShapeInferenceContext* ctx, TF_Status* status, int n,
                           const int* inputs);

/* Shape function of a gradient op: dx has the shape of x (input 1). */
void bk_shape_like_input1(TF_ShapeInferenceContext* ctx, TF_Status* status);

/* Shape function of a gradient op: outputs 0 and 1 have the shapes of inputs 1 and 2 (dx like x,
 * and the gradient of the second differentiated input, such as dslopes_raw or dalpha). */
void bk_shape_like_inputs1_2(TF_ShapeInferenceContext* ctx, TF_Status* status);

/* Shape function: outputs 0 and 1 have the shape of input 0 (x, rank >= 1 where known) without
 * its last axis (per-row values). */
void bk_shape_two_per_row(TF_ShapeInferenceContext* ctx, TF_Status* status);

#endif /* BEYOND_KERNELS_H_ */
