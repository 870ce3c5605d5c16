/* Pattern: RGBA pixel conversion with casts, uint8 -> float -> uint8.
 *
 * Each channel is widened (uitofp), scaled, clamped with a ternary (fcmp +
 * select) and narrowed back (fptoui). The 4-iteration loop is fully
 * unrolled by clang into straight-line code.
 */
#include <stdint.h>

void brighten(uint8_t *restrict out, const uint8_t *restrict in, float g) {
  for (int c = 0; c < 4; c++) {
    float v = (float)in[c] * g;
    out[c] = (uint8_t)(v > 255.0f ? 255.0f : v);
  }
}
