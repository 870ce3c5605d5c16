/* Pattern: reductions in loops over double, int8 and int32 data.
 *
 * dot keeps a strict scalar fmuladd chain (FP reassociation is not allowed);
 * sum_u8 and max_i32 are vectorized by the loop vectorizer and end in
 * llvm.vector.reduce.* calls after the vector loop.
 */
#include <stdint.h>

double dot(const double *a, const double *b, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

uint32_t sum_u8(const uint8_t *p, int n) {
  uint32_t s = 0;
  for (int i = 0; i < n; i++) s += p[i];
  return s;
}

int32_t max_i32(const int32_t *p, int n) {
  int32_t m = INT32_MIN;
  for (int i = 0; i < n; i++) m = p[i] > m ? p[i] : m;
  return m;
}
