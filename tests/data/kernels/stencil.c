/* Pattern: 1-D three-point stencil, unrolled by 4 inside a loop.
 *
 * Neighbouring lanes share loads (in[i+1] is used by three outputs).
 */
void stencil(float *restrict out, const float *restrict in, int n) {
  for (int i = 1; i + 4 < n; i += 4) {
    out[i] = 0.25f * in[i - 1] + 0.5f * in[i] + 0.25f * in[i + 1];
    out[i + 1] = 0.25f * in[i] + 0.5f * in[i + 1] + 0.25f * in[i + 2];
    out[i + 2] = 0.25f * in[i + 1] + 0.5f * in[i + 2] + 0.25f * in[i + 3];
    out[i + 3] = 0.25f * in[i + 2] + 0.5f * in[i + 3] + 0.25f * in[i + 4];
  }
}
