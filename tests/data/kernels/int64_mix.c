/* Pattern: int64 hash mixing (shifts, xor, multiply, rotate) in 2 lanes.
 *
 * Two independent 64-bit states are mixed with the same steps, as in a
 * two-stream PRNG. instcombine folds the rotate's shl into a second mul and
 * its or (and the final add) into adds, so the lanes stay isomorphic.
 */
#include <stdint.h>

void mix2(uint64_t *restrict s, const uint64_t *restrict k) {
  uint64_t a = s[0] ^ k[0];
  uint64_t b = s[1] ^ k[1];
  a ^= a >> 33;
  b ^= b >> 33;
  a *= 0xff51afd7ed558ccdULL;
  b *= 0xff51afd7ed558ccdULL;
  a = (a << 31) | (a >> 33);
  b = (b << 31) | (b >> 33);
  s[0] = a + (uint64_t)k[1];
  s[1] = b + (uint64_t)k[0];
}
