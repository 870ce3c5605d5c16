/* Pattern: a loop the loop vectorizer vectorizes.
 *
 * At -O3 clang turns this into an <8 x float> vector body (on AVX2), a
 * <4 x float> epilogue, a scalar remainder loop and the checks between them,
 * so vector types and many blocks appear in slpvec's input.
 */
void saxpy(float *restrict y, const float *restrict x, float a, int n) {
  for (int i = 0; i < n; i++) {
    y[i] = a * x[i] + y[i];
  }
}
