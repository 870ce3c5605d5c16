/* Pattern: radix-2 FFT butterfly on interleaved complex floats.
 *
 * t = b * w (complex), then b = a - t and a = a + t. The re/im lanes of
 * each step are isomorphic except for the add/sub in the twiddle product.
 */
void butterfly(float *restrict a, float *restrict b, const float *restrict w) {
  float tr = b[0] * w[0] - b[1] * w[1];
  float ti = b[0] * w[1] + b[1] * w[0];
  b[0] = a[0] - tr;
  b[1] = a[1] - ti;
  a[0] = a[0] + tr;
  a[1] = a[1] + ti;
}
