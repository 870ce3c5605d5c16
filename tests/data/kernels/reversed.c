/* Pattern: reversed-lane stores, a[3 - i] = b[i] * 2.
 *
 * Loads are in increasing order and stores in decreasing order, so a packed
 * version needs a reversing shufflevector between them.
 */
void reversed(int *restrict a, const int *restrict b) {
  a[3] = b[0] * 2;
  a[2] = b[1] * 2;
  a[1] = b[2] * 2;
  a[0] = b[3] * 2;
}
