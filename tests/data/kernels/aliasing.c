/* two non-restrict pointers: stores may alias the loads */
void maybe_alias(float *a, float *b) {
  a[0] = b[0] * 2.0f; a[1] = b[1] * 2.0f; a[2] = b[2] * 2.0f; a[3] = b[3] * 2.0f;
}
