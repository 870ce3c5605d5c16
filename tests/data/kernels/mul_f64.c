/* Pattern: unrolled double multiply by a scalar (splat operand).
 *
 * The scalar s is the same in every lane, so packing needs a broadcast
 * (insertelement + shufflevector) of an argument.
 */
void mul_f64(double *restrict a, const double *restrict b, double s) {
  a[0] = b[0] * s;
  a[1] = b[1] * s;
  a[2] = b[2] * s;
  a[3] = b[3] * s;
}
