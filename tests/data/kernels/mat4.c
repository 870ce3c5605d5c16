/* Pattern: 4x4 float matrix multiply.
 *
 * Written as three nested loops; clang -O3 unrolls all of them, leaving one
 * block of 64 fmuladds whose inner sums run over k (a chain per output).
 */
void mat4_mul(float c[restrict 16], const float a[restrict 16], const float b[restrict 16]) {
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) {
      float s = 0;
      for (int k = 0; k < 4; k++) s += a[4 * i + k] * b[4 * k + j];
      c[4 * i + j] = s;
    }
}
