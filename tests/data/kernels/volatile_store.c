/* Pattern: volatile stores.
 *
 * Each store to the volatile pointer is an observable access: it must never
 * be packed, merged or reordered, even though the addresses are adjacent.
 * The loads of b are ordinary and could still be packed.
 */
void vstore(volatile int *a, const int *restrict b) {
  a[0] = b[0];
  a[1] = b[1];
  a[2] = b[2];
  a[3] = b[3];
}
