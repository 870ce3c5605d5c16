/* reversed-lane stores: a[3-i] = b[i] * 2 */
void reversed(int *restrict a, const int *restrict b) {
  a[3] = b[0] * 2; a[2] = b[1] * 2; a[1] = b[2] * 2; a[0] = b[3] * 2;
}
