/* Pattern: integer bit manipulation per lane (rotate, bswap, popcount, abs).
 *
 * Idioms that instcombine turns into intrinsics: rotates -> llvm.fshl,
 * byte swaps -> llvm.bswap, __builtin_popcount -> llvm.ctpop, and the
 * ternary absolute value -> llvm.abs.
 */
#include <stdint.h>

void rot4(uint32_t *restrict r, const uint32_t *restrict a) {
  r[0] = (a[0] << 7) | (a[0] >> 25);
  r[1] = (a[1] << 7) | (a[1] >> 25);
  r[2] = (a[2] << 7) | (a[2] >> 25);
  r[3] = (a[3] << 7) | (a[3] >> 25);
}

void bswap2(uint32_t *restrict r, const uint32_t *restrict a) {
  for (int i = 0; i < 2; i++)
    r[i] = (a[i] >> 24) | ((a[i] >> 8) & 0xff00) | ((a[i] << 8) & 0xff0000) | (a[i] << 24);
}

void popabs(int32_t *restrict r, const int32_t *restrict a) {
  r[0] = __builtin_popcount((uint32_t)a[0]) + (a[2] < 0 ? -a[2] : a[2]);
  r[1] = __builtin_popcount((uint32_t)a[1]) + (a[3] < 0 ? -a[3] : a[3]);
}
