/* Pattern: 3x4 affine transform of an array of xyz points.
 *
 * The loop body is straight-line code: three fmuladd chains over the same
 * three loaded coordinates with different matrix rows (splat-like operands
 * from m[]), stored to adjacent x, y, z fields.
 */
struct point { float x, y, z; };

void transform(struct point *restrict out, const struct point *restrict in,
               const float *restrict m, int n) {
  for (int i = 0; i < n; i++) {
    float x = in[i].x, y = in[i].y, z = in[i].z;
    out[i].x = m[0] * x + m[1] * y + m[2] * z + m[3];
    out[i].y = m[4] * x + m[5] * y + m[6] * z + m[7];
    out[i].z = m[8] * x + m[9] * y + m[10] * z + m[11];
  }
}
