/* Pattern: memcpy of a struct.
 *
 * Assigning a struct copies it with llvm.memcpy (a call with memory effects,
 * hence a barrier for slpvec). In copy() the element copies of the loop are
 * merged into one memcpy of n * sizeof(struct big) bytes; in snapshot() the
 * memcpy sits in the middle of a block, between two groups of field updates.
 */
#include <stddef.h>

struct big { double v[12]; int tag; };

void copy(struct big *restrict d, const struct big *restrict s, size_t n) {
  for (size_t i = 0; i < n; i++) d[i] = s[i];
}

void snapshot(struct big *restrict d, struct big *restrict s, double k) {
  s->v[0] *= k; s->v[1] *= k; s->v[2] *= k; s->v[3] *= k;
  *d = *s;
  d->v[4] += k; d->v[5] += k; d->v[6] += k; d->v[7] += k;
  d->tag = 1;
}
