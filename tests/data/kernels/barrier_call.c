/* an external call in the middle of a block acts as a barrier */
void observe(const float *p);
void with_call(float *restrict a, const float *restrict b) {
  a[0] = b[0] + 1.0f; a[1] = b[1] + 1.0f;
  observe(a);
  a[2] = b[2] + 1.0f; a[3] = b[3] + 1.0f;
}
