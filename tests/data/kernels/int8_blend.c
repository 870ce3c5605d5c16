/* Pattern: uint8/int8 lane arithmetic (pixel averaging, saturating add).
 *
 * avg8 computes the rounded average (a + b + 1) >> 1 in int and truncates
 * back to uint8, for 8 adjacent bytes; sat_add4 clamps a signed 8-bit sum
 * with ternaries, which instcombine turns into llvm.sadd.sat.i8.
 */
#include <stdint.h>

void avg8(uint8_t *restrict r, const uint8_t *restrict a, const uint8_t *restrict b) {
  r[0] = (uint8_t)((a[0] + b[0] + 1) >> 1);
  r[1] = (uint8_t)((a[1] + b[1] + 1) >> 1);
  r[2] = (uint8_t)((a[2] + b[2] + 1) >> 1);
  r[3] = (uint8_t)((a[3] + b[3] + 1) >> 1);
  r[4] = (uint8_t)((a[4] + b[4] + 1) >> 1);
  r[5] = (uint8_t)((a[5] + b[5] + 1) >> 1);
  r[6] = (uint8_t)((a[6] + b[6] + 1) >> 1);
  r[7] = (uint8_t)((a[7] + b[7] + 1) >> 1);
}

static int8_t sat8(int v) { return (int8_t)(v > 127 ? 127 : v < -128 ? -128 : v); }

void sat_add4(int8_t *restrict r, const int8_t *restrict a, const int8_t *restrict b) {
  r[0] = sat8(a[0] + b[0]);
  r[1] = sat8(a[1] + b[1]);
  r[2] = sat8(a[2] + b[2]);
  r[3] = sat8(a[3] + b[3]);
}
