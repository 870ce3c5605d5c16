/* Pattern: alternating add/sub lanes.
 *
 * Even lanes add and odd lanes subtract (the x86 addsubps shape). The
 * operations differ per lane, so a pack needs both an fadd and an fsub
 * vector and a blend, or an alternate-opcode shuffle.
 */
void addsub_f32(float *restrict r, const float *restrict a, const float *restrict b) {
  r[0] = a[0] + b[0];
  r[1] = a[1] - b[1];
  r[2] = a[2] + b[2];
  r[3] = a[3] - b[3];
  r[4] = a[4] + b[4];
  r[5] = a[5] - b[5];
  r[6] = a[6] + b[6];
  r[7] = a[7] - b[7];
}

void addsub_i32(int *restrict r, const int *restrict a, const int *restrict b) {
  r[0] = a[0] + b[0];
  r[1] = a[1] - b[1];
  r[2] = a[2] + b[2];
  r[3] = a[3] - b[3];
}
