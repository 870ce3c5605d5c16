/* Pattern: RGB -> gray and gray -> RGB over a pixel loop (uint8 <-> float).
 *
 * Interleaved RGB bytes are widened to float, weighted, rounded and narrowed;
 * the loop has a stride-3 access pattern the loop vectorizer may handle with
 * interleaved (shuffled) loads.
 */
#include <stdint.h>

void rgb_to_gray(uint8_t *restrict gray, const uint8_t *restrict rgb, int n) {
  for (int i = 0; i < n; i++) {
    float y = 0.299f * rgb[3 * i] + 0.587f * rgb[3 * i + 1] + 0.114f * rgb[3 * i + 2];
    gray[i] = (uint8_t)(y + 0.5f);
  }
}

void gray_to_rgb(uint8_t *restrict rgb, const uint8_t *restrict gray, float gain, int n) {
  for (int i = 0; i < n; i++) {
    float v = gray[i] * gain;
    uint8_t g = (uint8_t)(v > 255.0f ? 255.0f : v);
    rgb[3 * i] = g;
    rgb[3 * i + 1] = g;
    rgb[3 * i + 2] = g;
  }
}
