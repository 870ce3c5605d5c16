/* A 2x4 by 4x2 matrix product into a 4x4 matrix, every input read into a
   local first: dest[i][j] = a[0][j] * b[i][0] + a[1][j] * b[i][1]. Packed 4
   wide it is four trees reading a's rows and broadcasts of b's elements; 8
   wide, two trees reading b through one 8-wide load and lane shuffles. */
void mat2x4_mul(const float a[2][4], const float b[4][2], float dest[4][4]) {
  float a0[4], a1[4], b0[4], b1[4];
  for (int j = 0; j < 4; j++) {
    a0[j] = a[0][j];
    a1[j] = a[1][j];
  }
  for (int i = 0; i < 4; i++) {
    b0[i] = b[i][0];
    b1[i] = b[i][1];
  }
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++)
      dest[i][j] = a0[j] * b0[i] + a1[j] * b1[i];
}
