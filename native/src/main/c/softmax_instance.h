/*
 * One instance of the row-loop header named by BK_ROWS, for the element type whose macros
 * softmax_types.h has just defined (REAL, SUFFIX, EXP, LOG1P01, FAST_LO, FAST_HI); undefines them
 * after, so that the next type can define its own.
 */
#include BK_ROWS
#undef REAL
#undef SUFFIX
#undef EXP
#undef LOG1P01
#undef FAST_LO
#undef FAST_HI
