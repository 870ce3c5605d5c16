/* fmuladd pattern a*b+c and negated products (fneg) */
void fma4(double *restrict r, const double *restrict a, const double *restrict b,
          const double *restrict c) {
  r[0] = a[0] * b[0] + c[0]; r[1] = a[1] * b[1] + c[1];
  r[2] = -(a[2] * b[2]) + c[2]; r[3] = -(a[3] * b[3]) + c[3];
}
