/*
 * Shared declarations of the beyond-softmax CPU kernels: the row-parallel loop, status helpers
 * and the entry points each kernel file registers.
 */
#ifndef BEYOND_KERNELS_H_
#define BEYOND_KERNELS_H_

#include <stdint.h>

#include "tf_c_api.h"

/* Hot loops are compiled twice, for x86-64-v3 (AVX2, FMA) and baseline x86-64, and picked at
 * load time (an ifunc). */
#if defined(__x86_64__) && !defined(BK_NO_CLONES)
#define BK_HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
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

/* Runs fn over [0, n) split into bk_workers(n, grain) contiguous parts, one per thread (the
 * caller's thread takes part 0), and returns when all are done. */
void bk_parallel_for(int64_t n, int64_t grain, bk_range_fn fn, void* ctx);

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

/* Reads a string attribute of at most 63 characters into buf[64]; 0 on success. */
int bk_string_attr(TF_OpKernelConstruction* ctx, const char* name, char buf[64]);

/* Registration of each family's ops and kernels; 0 on success. */
int bk_register_plif(TF_Status* status);
int bk_register_softmax(TF_Status* status);
int bk_register_thresholds(TF_Status* status);

/* Shape function: output 0 has the shape of input 0. */
void bk_shape_same_as_input0(TF_ShapeInferenceContext* ctx, TF_Status* status);

#endif /* BEYOND_KERNELS_H_ */
