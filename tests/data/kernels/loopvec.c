/* Pattern: a loop the loop vectorizer vectorizes.
 *
 * At -O3 clang turns this into a vector body (<8 x float> on AVX2,
 * interleaved by 4), a scalar remainder loop and the runtime checks between
 * them, so vector types and many blocks appear in slpvec's input.
 */
void saxpy(float *restrict y, const float *restrict x, float a, int n) {
  for (int i = 0; i < n; i++) {
    y[i] = a * x[i] + y[i];
  }
}
