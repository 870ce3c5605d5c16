/* Pattern: 3x3 double matrix multiply, fully unrolled by hand.
 *
 * c = a * b, row-major. Three lanes per row do not fill a 256-bit vector of
 * doubles, so a vectorizer must choose between 2-lane packs, padded 4-lane
 * packs and packs that span rows.
 */
void mat3_mul(double *restrict c, const double *restrict a, const double *restrict b) {
  c[0] = a[0] * b[0] + a[1] * b[3] + a[2] * b[6];
  c[1] = a[0] * b[1] + a[1] * b[4] + a[2] * b[7];
  c[2] = a[0] * b[2] + a[1] * b[5] + a[2] * b[8];
  c[3] = a[3] * b[0] + a[4] * b[3] + a[5] * b[6];
  c[4] = a[3] * b[1] + a[4] * b[4] + a[5] * b[7];
  c[5] = a[3] * b[2] + a[4] * b[5] + a[5] * b[8];
  c[6] = a[6] * b[0] + a[7] * b[3] + a[8] * b[6];
  c[7] = a[6] * b[1] + a[7] * b[4] + a[8] * b[7];
  c[8] = a[6] * b[2] + a[7] * b[5] + a[8] * b[8];
}
