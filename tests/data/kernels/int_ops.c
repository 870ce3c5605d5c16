/* Pattern: integer shifts and bit ops on int32/int16/int8/int64.
 *
 * Lanes 0-1 and 2-3 of a[] use different operators (shl/xor vs ashr/and);
 * h[], q[] and w[] are 2-lane groups of narrow and wide integers.
 */
#include <stdint.h>

void int_ops(int32_t *restrict a, const int32_t *restrict b, int16_t *restrict h,
             uint8_t *restrict q, int64_t *restrict w) {
  a[0] = (b[0] << 2) ^ b[1]; a[1] = (b[1] << 2) ^ b[2];
  a[2] = (b[2] >> 1) & 255; a[3] = (b[3] >> 1) & 255;
  h[0] = h[0] + 3; h[1] = h[1] + 3; q[0] |= 1; q[1] |= 1;
  w[0] = w[0] * 7 - 1; w[1] = w[1] * 7 - 1;
}
