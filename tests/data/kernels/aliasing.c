/* Pattern: pointer aliasing through two non-restrict pointers.
 *
 * a and b may overlap, so each store may clobber a later load of b:
 * the loads cannot be hoisted above earlier stores, and a vectorizer must
 * prove (or check at run time) that the lanes do not alias.
 */
void maybe_alias(float *a, float *b) {
  a[0] = b[0] * 2.0f;
  a[1] = b[1] * 2.0f;
  a[2] = b[2] * 2.0f;
  a[3] = b[3] * 2.0f;
}
