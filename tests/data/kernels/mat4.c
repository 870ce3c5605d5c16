/* 4x4 float matrix multiply (loops fully unrolled by clang) */
void mat4_mul(float c[restrict 16], const float a[restrict 16], const float b[restrict 16]) {
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) {
      float s = 0;
      for (int k = 0; k < 4; k++) s += a[4 * i + k] * b[4 * k + j];
      c[4 * i + j] = s;
    }
}
