/* Pattern: unrolled float array add, a[i] = b[i] + c[i] for 4 lanes.
 *
 * The simplest SLP target: four isomorphic fadds whose loads and stores
 * are adjacent, so all of it packs into one <4 x float> add.
 */
void add_f32(float *restrict a, const float *restrict b, const float *restrict c) {
  a[0] = b[0] + c[0];
  a[1] = b[1] + c[1];
  a[2] = b[2] + c[2];
  a[3] = b[3] + c[3];
}
