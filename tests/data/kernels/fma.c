/* Pattern: fmuladd (a*b + c) and fneg.
 *
 * With the default -ffp-contract=on, clang emits llvm.fmuladd for a*b + c;
 * the negated products of lanes 2 and 3 become an fneg feeding the fmuladd,
 * so lanes 0-1 and 2-3 are isomorphic only up to the fneg.
 */
void fma4(double *restrict r, const double *restrict a, const double *restrict b,
          const double *restrict c) {
  r[0] = a[0] * b[0] + c[0];
  r[1] = a[1] * b[1] + c[1];
  r[2] = -(a[2] * b[2]) + c[2];
  r[3] = -(a[3] * b[3]) + c[3];
}
