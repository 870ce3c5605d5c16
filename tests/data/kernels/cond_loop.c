/* Pattern: loops with control flow in the body.
 *
 * leaky_relu has an if/else per element (if-converted into select by the
 * loop vectorizer); find_scale has an early exit, which keeps the loop
 * scalar, followed by an unrolled 4-lane scaling block.
 */
void leaky_relu(float *restrict y, const float *restrict x, int n) {
  for (int i = 0; i < n; i++) {
    if (x[i] > 0.0f)
      y[i] = x[i];
    else
      y[i] = 0.01f * x[i];
  }
}

int find_scale(float *restrict v, const float *restrict x, int n) {
  int i = 0;
  while (i < n && x[i] >= 0.0f) i++;
  float s = i < n ? x[i] : 1.0f;
  v[0] *= s;
  v[1] *= s;
  v[2] *= s;
  v[3] *= s;
  return i;
}
