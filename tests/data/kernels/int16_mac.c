/* Pattern: int16 multiply-accumulate into int32 lanes.
 *
 * Products of sign-extended int16 inputs (sext i16 -> i32, mul) are added
 * pairwise into 4 int32 accumulators, the shape of pmaddwd.
 */
#include <stdint.h>

void mac16(int32_t *restrict acc, const int16_t *restrict x, const int16_t *restrict y) {
  acc[0] += x[0] * y[0] + x[1] * y[1];
  acc[1] += x[2] * y[2] + x[3] * y[3];
  acc[2] += x[4] * y[4] + x[5] * y[5];
  acc[3] += x[6] * y[6] + x[7] * y[7];
}

void scale16(int16_t *restrict r, const int16_t *restrict x, int16_t k) {
  r[0] = (int16_t)((x[0] * k) >> 8);
  r[1] = (int16_t)((x[1] * k) >> 8);
  r[2] = (int16_t)((x[2] * k) >> 8);
  r[3] = (int16_t)((x[3] * k) >> 8);
}
