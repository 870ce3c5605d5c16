/* Pattern: 4-vector math: dot, lerp, normalize with sqrtf, homogeneous divide.
 *
 * float4 as an array of 4 adjacent floats. lerp4 is four isomorphic
 * fsub + fmuladd lanes; normalize4 reduces to one sqrt and then scales all
 * lanes by the same value; project divides x, y, z by w.
 */
#include <math.h>

float dot4(const float *restrict a, const float *restrict b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
}

void lerp4(float *restrict r, const float *restrict a, const float *restrict b, float t) {
  r[0] = a[0] + t * (b[0] - a[0]);
  r[1] = a[1] + t * (b[1] - a[1]);
  r[2] = a[2] + t * (b[2] - a[2]);
  r[3] = a[3] + t * (b[3] - a[3]);
}

void normalize4(float *restrict v) {
  float inv = 1.0f / sqrtf(v[0] * v[0] + v[1] * v[1] + v[2] * v[2] + v[3] * v[3]);
  v[0] *= inv;
  v[1] *= inv;
  v[2] *= inv;
  v[3] *= inv;
}

void project(float *restrict out, const float *restrict p) {
  float w = p[3];
  out[0] = p[0] / w;
  out[1] = p[1] / w;
  out[2] = p[2] / w;
  out[3] = 1.0f;
}
