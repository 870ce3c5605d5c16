/* Pattern: fneg and sign manipulation (fneg, fabsf, copysignf).
 *
 * flip negates every lane; negmul negates products (clang moves the fneg
 * onto an operand of the fmul); signs uses llvm.copysign and llvm.fabs.
 */
#include <math.h>

void flip(float *restrict r, const float *restrict a) {
  r[0] = -a[0];
  r[1] = -a[1];
  r[2] = -a[2];
  r[3] = -a[3];
}

void negmul(double *restrict r, const double *restrict a, const double *restrict b) {
  r[0] = -(a[0] * b[0]);
  r[1] = -(a[1] * b[1]);
}

void signs(float *restrict r, const float *restrict a, const float *restrict s) {
  r[0] = copysignf(a[0], s[0]);
  r[1] = copysignf(a[1], s[1]);
  r[2] = fabsf(a[2] - s[2]);
  r[3] = fabsf(a[3] - s[3]);
}
