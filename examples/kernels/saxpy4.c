/* The bundled example: straight-line code an SLP vectorizer should pack.
 *   saxpy8: y[0..7] = a * x[0..7] + y[0..7], unrolled by hand (8 float lanes)
 *   cmul2:  one double-precision complex multiply, re/im interleaved (2 lanes)
 */
void saxpy8(float a, const float *restrict x, float *restrict y) {
  y[0] = a * x[0] + y[0];
  y[1] = a * x[1] + y[1];
  y[2] = a * x[2] + y[2];
  y[3] = a * x[3] + y[3];
  y[4] = a * x[4] + y[4];
  y[5] = a * x[5] + y[5];
  y[6] = a * x[6] + y[6];
  y[7] = a * x[7] + y[7];
}

void cmul2(double *restrict out, const double *restrict p, const double *restrict q) {
  double re = p[0] * q[0] - p[1] * q[1];
  double im = p[0] * q[1] + p[1] * q[0];
  out[0] = re;
  out[1] = im;
}
