/* Compiled with -ffast-math: compares carry `fast` before their predicate
 * (`fcmp fast olt`); lanes 0-3 share one predicate (one vector compare),
 * lanes 4-7 each have their own. */
__attribute__((noinline))
void fcmp_fast(int *restrict out, const float *restrict a, const float *restrict b) {
  out[0] = a[0] < b[0]; out[1] = a[1] < b[1]; out[2] = a[2] < b[2]; out[3] = a[3] < b[3];
  out[4] = a[4] > b[4]; out[5] = a[5] < b[5]; out[6] = a[6] >= b[6]; out[7] = a[7] <= b[7];
}
