/* Pattern: quaternion (4-vector) product.
 *
 * r = p * q with p, q stored as (x, y, z, w). Every lane uses all eight
 * inputs with a different sign pattern, so operands are shared between
 * lanes and only partial packs are profitable.
 */
void qmul(float *restrict r, const float *restrict p, const float *restrict q) {
  r[0] = p[3] * q[0] + p[0] * q[3] + p[1] * q[2] - p[2] * q[1];
  r[1] = p[3] * q[1] - p[0] * q[2] + p[1] * q[3] + p[2] * q[0];
  r[2] = p[3] * q[2] + p[0] * q[1] - p[1] * q[0] + p[2] * q[3];
  r[3] = p[3] * q[3] - p[0] * q[0] - p[1] * q[1] - p[2] * q[2];
}
