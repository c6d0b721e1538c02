/*
 * Elementwise exp and log1p written so that gcc vectorizes loops that call them (no libm calls,
 * no branches: selects only), for the arguments the kernels use. Both float32 and float64
 * versions are accurate to a few ulp; neither sets errno.
 *
 * exp: Cody-Waite range reduction x = n ln2 + r, |r| <= ln2/2, a Taylor polynomial for e^r
 * (degree 7 in float, 13 in double: truncation error below 1e-8 and 1e-17 relative), and 2^n
 * assembled in the exponent bits as 2 * 2^(n - 1). Results below about 2.4e-38 (float) and
 * 4.5e-308 (double) are flushed to 0 (inputs below -86.6 and -708), inputs above ln(largest
 * finite) give +inf, NaN gives NaN.
 *
 * log1p(a) for a in [0, 1]: 1 + a = 2^e (1 + b) with e in {0, 1} and b in [-0.3, 0.42),
 * log(1 + b) = 2 atanh(s), s = b/(2 + b), |s| <= 0.18, by its odd series (degree 9 in float,
 * 21 in double).
 */
#ifndef BEYOND_VMATH_H_
#define BEYOND_VMATH_H_

#include <stdint.h>
#include <string.h>

static inline float bk_expf(float x) {
  const float shift = 0x1.8p23f; /* adding it rounds to an integer kept in the low bits */
  float xc = x < -86.6f ? -86.6f : x;
  xc = xc > 88.72283f ? 88.72283f : xc;
  float t = xc * 0x1.715476p+0f + shift; /* x log2(e) rounded to n */
  float n = t - shift;
  int32_t ti;
  memcpy(&ti, &t, sizeof ti);
  float r = xc - n * 0x1.62e4p-1f; /* ln2 split in a high part exact in n * hi ... */
  r = r - n * 0x1.7f7d1cp-20f;     /* ... and the rest */
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  /* 2^(n - 1) (0x4b400000: the bits of shift); unsigned, as NaN gives any bits here */
  uint32_t bits = ((uint32_t)ti - 0x4b400000u + 126u) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  float y = p * scale * 2.0f;
  y = x < -86.6f ? 0.0f : y;
  return x > 88.72283f ? __builtin_inff() : y; /* NaN stays NaN: every step propagates it */
}

static inline double bk_exp(double x) {
  const double shift = 0x1.8p52;
  double xc = x < -708.0 ? -708.0 : x;
  xc = xc > 709.782712893384 ? 709.782712893384 : xc;
  double t = xc * 0x1.71547652b82fep+0 + shift;
  double n = t - shift;
  int64_t ti;
  memcpy(&ti, &t, sizeof ti);
  double r = xc - n * 0x1.62e42fefa3800p-1; /* ln2 high part: n * hi is exact */
  r = r - n * 0x1.ef35793c76730p-45;
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  uint64_t bits = ((uint64_t)ti - UINT64_C(0x4338000000000000) + 1022u) << 52; /* 2^(n - 1) */
  double scale;
  memcpy(&scale, &bits, sizeof scale);
  double y = p * scale * 2.0;
  y = x < -708.0 ? 0.0 : y;
  return x > 709.782712893384 ? __builtin_inf() : y;
}

/* log1p(a) for a in [0, 1] (a = exp(-|x|) in the kernels). */
static inline float bk_log1pf01(float a) {
  int big = a > 0.41421356f;
  float b = big ? (a - 1.0f) * 0.5f : a; /* 1 + a = 2 (1 + b) when big */
  float s = b / (2.0f + b);
  float s2 = s * s;
  float q = 1.0f / 9;
  q = q * s2 + 1.0f / 7;
  q = q * s2 + 1.0f / 5;
  q = q * s2 + 1.0f / 3;
  q = q * s2 + 1.0f;
  float y = 2.0f * s * q;
  return big ? y + 0x1.62e430p-1f : y;
}

static inline double bk_log1p01(double a) {
  int big = a > 0.41421356237309503;
  double b = big ? (a - 1.0) * 0.5 : a;
  double s = b / (2.0 + b);
  double s2 = s * s;
  double q = 1.0 / 21;
  q = q * s2 + 1.0 / 19;
  q = q * s2 + 1.0 / 17;
  q = q * s2 + 1.0 / 15;
  q = q * s2 + 1.0 / 13;
  q = q * s2 + 1.0 / 11;
  q = q * s2 + 1.0 / 9;
  q = q * s2 + 1.0 / 7;
  q = q * s2 + 1.0 / 5;
  q = q * s2 + 1.0 / 3;
  q = q * s2 + 1.0;
  double y = 2.0 * s * q;
  return big ? y + 0x1.62e42fefa39efp-1 : y;
}

#endif /* BEYOND_VMATH_H_ */
