/* Pattern: reductions in loops.
 *
 * The float sum stays a scalar loop (no fast-math, so no reassociation);
 * the integer sum is vectorized by the loop vectorizer, giving vector phis
 * and an llvm.vector.reduce.add in the exit block.
 */
float sum(const float *x, int n) {
  float s = 0;
  for (int i = 0; i < n; i++) s += x[i];
  return s;
}

long isum(const int *x, int n) {
  long s = 0;
  for (int i = 0; i < n; i++) s += x[i] * 3;
  return s;
}
