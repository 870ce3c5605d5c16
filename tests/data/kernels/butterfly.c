/* radix-2 FFT butterfly on interleaved complex data */
void butterfly(float *restrict a, float *restrict b, const float *restrict w) {
  float tr = b[0] * w[0] - b[1] * w[1];
  float ti = b[0] * w[1] + b[1] * w[0];
  b[0] = a[0] - tr; b[1] = a[1] - ti;
  a[0] = a[0] + tr; a[1] = a[1] + ti;
}
