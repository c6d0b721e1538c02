/*
 * The parts of the PLIF kernels (plif.c) that the fused PLIF cross-entropy (plif_ce.c) shares:
 * the range attribute, the checks of slopes_raw, the knot tables and the slope gradient from
 * per-worker knot accumulators.
 */
#ifndef BEYOND_PLIF_H_
#define BEYOND_PLIF_H_

#include <stdint.h>

#include "tf_c_api.h"

/* The kernel state of every PLIF op: its range T (a string attribute, exact in float64). */
typedef struct {
  double range;
} bk_plif_kernel;

/* Reads and checks the "range" attribute (finite, > 0); NULL after failing ctx. The state is freed
 * by bk_state_delete. */
void* bk_plif_create(TF_OpKernelConstruction* ctx);

/* The number of knots K of slopes_raw (rank 1, 1 <= K <= 2^24); -1 after failing ctx. */
int32_t bk_plif_knots(TF_OpKernelContext* ctx, const TF_Tensor* slopes_raw);

/* The knot width delta = 2T/K as the element type computes it (float32: in float). */
double bk_plif_delta(double range, int32_t knots, int f32);

/*
 * softplus(v), in double, stored in the element type: with the offsets C_i = delta sum_{j<i} s_j
 * as (s_i, C_i) pairs (pairs != 0), or alone. NULL when out of memory.
 */
void* bk_plif_table(const TF_Tensor* slopes_raw, int32_t knots, int f32, double delta, int pairs);

/*
 * dslopes_raw_j = sigmoid(v_j) (own_j + delta sum_{i>j} count_i) into dv, from `workers`
 * accumulators of 2K entries each (own_i, count_i pairs; float for float32, else double).
 */
void bk_plif_slope_gradient(const void* acc, int workers, int32_t knots, int f32, double delta,
                            const TF_Tensor* slopes_raw, TF_Tensor* dv);

/* Shape function check: input `index` (slopes_raw) has rank 1 and >= 1 entries where known. */
void bk_plif_check_slopes_shape(TF_ShapeInferenceContext* ctx, int index, TF_Status* status);

#endif /* BEYOND_PLIF_H_ */
