/* Pattern: a function call in the middle of a block (barrier).
 *
 * observe() may read or write a[], so the stores of lanes 0-1 must happen
 * before the call and the loads/stores of lanes 2-3 after it: nothing may
 * move across the call, and the four lanes cannot form one pack.
 */
void observe(const float *p);

void with_call(float *restrict a, const float *restrict b) {
  a[0] = b[0] + 1.0f;
  a[1] = b[1] + 1.0f;
  observe(a);
  a[2] = b[2] + 1.0f;
  a[3] = b[3] + 1.0f;
}
