/*
 * Includes the row-loop header named by BK_ROWS twice, for float (SUFFIX f32) and double (f64),
 * with the macros of the softmax family's loops: REAL, SUFFIX, EXP, LOG1P01 and the bounds
 * FAST_LO/FAST_HI of their fast paths (see softmax_rows.h).
 */
#define REAL float
#define SUFFIX f32
#define EXP bk_expf
#define LOG1P01 bk_log1pf01
#define FAST_LO -20.0f
#define FAST_HI 40.0f
#include BK_ROWS
#undef REAL
#undef SUFFIX
#undef EXP
#undef LOG1P01
#undef FAST_LO
#undef FAST_HI

#define REAL double
#define SUFFIX f64
#define EXP bk_exp
#define LOG1P01 bk_log1p01
#define FAST_LO -300.0
#define FAST_HI 300.0
#include BK_ROWS
#undef REAL
#undef SUFFIX
#undef EXP
#undef LOG1P01
#undef FAST_LO
#undef FAST_HI
