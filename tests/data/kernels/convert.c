/* Pattern: int <-> float conversions, widening and narrowing.
 *
 * int32 -> double (sitofp, 4 lanes widening to 256 bits) and
 * float -> int16 (fptosi to i16, narrowing).
 */
#include <stdint.h>

void convert(double *restrict d, const int32_t *restrict s, int16_t *restrict h,
             const float *restrict f) {
  d[0] = (double)s[0]; d[1] = (double)s[1]; d[2] = (double)s[2]; d[3] = (double)s[3];
  h[0] = (int16_t)f[0]; h[1] = (int16_t)f[1]; h[2] = (int16_t)f[2]; h[3] = (int16_t)f[3];
}
