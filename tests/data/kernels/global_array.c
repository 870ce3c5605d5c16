/* Pattern: a global array read and written with constant indices.
 *
 * Addresses are GEPs of @table rather than of an argument; the second group
 * of updates reads values stored by the first, so the stores to table[0..1]
 * must stay before the loads that feed table[4..5].
 */
double table[8];

void scale_table(double s) {
  table[0] *= s;
  table[1] *= s;
  table[2] *= s;
  table[3] *= s;
  table[4] += table[0];
  table[5] += table[1];
}
