/*
 * The maximum of a row (-inf for an empty row), for one element type: included by the row-loop
 * headers with REAL and NAME defined (no include guard: once per element type).
 */
BK_HOT static REAL NAME(row_max)(const REAL* x, int64_t m) {
  REAL mx = -(REAL)INFINITY;
#pragma omp simd reduction(max : mx)
  for (int64_t j = 0; j < m; j++) {
    mx = x[j] > mx ? x[j] : mx;
  }
  return mx;
}
