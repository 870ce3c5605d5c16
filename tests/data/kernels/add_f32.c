/* unrolled float add: a[i] = b[i] + c[i], 4 lanes */
void add_f32(float *restrict a, const float *restrict b, const float *restrict c) {
  a[0] = b[0] + c[0]; a[1] = b[1] + c[1]; a[2] = b[2] + c[2]; a[3] = b[3] + c[3];
}
