/* Pattern: 2x2 double matrix multiply, fully unrolled by hand.
 *
 * c = a * b, row-major. Each output is a two-term dot product, which clang
 * contracts into fmul + llvm.fmuladd; the row broadcasts (a[0], a[1], ...)
 * make the packs need splats and shuffles.
 */
void mat2_mul(double *restrict c, const double *restrict a, const double *restrict b) {
  c[0] = a[0] * b[0] + a[1] * b[2];
  c[1] = a[0] * b[1] + a[1] * b[3];
  c[2] = a[2] * b[0] + a[3] * b[2];
  c[3] = a[2] * b[1] + a[3] * b[3];
}
