/* Pattern: fminf / fmaxf / fabsf and ternary selects.
 *
 * clampabs becomes llvm.fabs / llvm.maxnum / llvm.minnum per lane; select4
 * keeps icmp + select with an add on one arm.
 */
#include <math.h>

void clampabs(float *restrict r, const float *restrict x, float lo, float hi) {
  for (int i = 0; i < 4; i++) r[i] = fminf(fmaxf(fabsf(x[i]), lo), hi);
}

void select4(int *restrict r, const int *restrict a, const int *restrict b) {
  r[0] = a[0] > b[0] ? a[0] : b[0] + 1; r[1] = a[1] > b[1] ? a[1] : b[1] + 1;
  r[2] = a[2] > b[2] ? a[2] : b[2] + 1; r[3] = a[3] > b[3] ? a[3] : b[3] + 1;
}
