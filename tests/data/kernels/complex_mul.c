/* Pattern: complex-number multiply, re/im interleaved (two complex doubles).
 *
 * (x + iy)(u + iv) = (xu - yv) + i(xv + yu): the real lanes subtract and the
 * imaginary lanes add, so packing the results needs alternating fsub/fadd
 * lanes and swapped (odd/even) operand shuffles.
 */
void complex_mul(double *restrict out, const double *restrict x, const double *restrict y) {
  out[0] = x[0] * y[0] - x[1] * y[1];
  out[1] = x[0] * y[1] + x[1] * y[0];
  out[2] = x[2] * y[2] - x[3] * y[3];
  out[3] = x[2] * y[3] + x[3] * y[2];
}
