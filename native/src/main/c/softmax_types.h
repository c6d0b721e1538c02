/*
 * Includes the row-loop header named by BK_ROWS twice, for float (SUFFIX f32) and double (f64),
 * with the macros of the softmax family's loops: REAL, SUFFIX, EXP, LOG1P01 and the bounds
 * FAST_LO/FAST_HI of their fast paths (see softmax_rows.h), and the sigsoftmax terms below.
 */

/*
 * Sigsoftmax terms of an entry v with a = BK_EXP_NEG_ABS(v) = exp(-|v|), stable for either sign
 * (they expand with the EXP and LOG1P01 of the element type where they are used):
 * BK_SIGMOID(v, a) = sigmoid(v); BK_SIG_LOGIT(v, a) = u = v + log sigmoid(v)
 * = v + min(v, 0) - log1p(a); BK_SIG_EXP(v, a, c) = c exp(u) = c e^v sigmoid(v), which is
 * c/(a (1 + a)) for v >= 0 and c a^2/(1 + a) for v < 0 (one division instead of a second exp).
 */
#define BK_EXP_NEG_ABS(v) EXP((v) < 0 ? (v) : -(v))
#define BK_SIGMOID(v, a) (((v) >= 0 ? 1 : (a)) / (1 + (a)))
#define BK_SIG_LOGIT(v, a) ((v) + ((v) < 0 ? (v) : 0) - LOG1P01(a))
#define BK_SIG_EXP(v, a, c) (((v) >= 0 ? (c) : (a) * (a) * (c)) / ((v) >= 0 ? (a) + (a) * (a) : 1 + (a)))

#define REAL float
#define SUFFIX f32
#define EXP bk_expf
#define LOG1P01 bk_log1pf01
#define FAST_LO -20.0f
#define FAST_HI 40.0f
#include "softmax_instance.h"

#define REAL double
#define SUFFIX f64
#define EXP bk_exp
#define LOG1P01 bk_log1p01
#define FAST_LO -300.0
#define FAST_HI 300.0
#include "softmax_instance.h"
