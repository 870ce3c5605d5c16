/* volatile stores must never be packed or reordered */
void vstore(volatile int *a, const int *restrict b) {
  a[0] = b[0]; a[1] = b[1]; a[2] = b[2]; a[3] = b[3];
}
