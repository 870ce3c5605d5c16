/* Pattern: the same polynomial evaluated at 4 points (Horner chains).
 *
 * Each lane is a chain of llvm.fmuladd with the same constant coefficients,
 * a deep isomorphic tree whose leaves are 4 adjacent loads.
 */
void poly4(float *restrict r, const float *restrict x) {
  for (int i = 0; i < 4; i++) {
    float t = x[i];
    r[i] = ((0.5f * t + 0.25f) * t - 1.0f) * t + 2.0f;
  }
}

void poly2(double *restrict r, const double *restrict x) {
  double t0 = x[0], t1 = x[1];
  r[0] = ((t0 * 1.5 - 2.0) * t0 + 0.75) * t0;
  r[1] = ((t1 * 1.5 - 2.0) * t1 + 0.75) * t1;
}
