/* struct copy becomes llvm.memcpy (a call) */
#include <stddef.h>
struct big { double v[12]; int tag; };
void copy(struct big *restrict d, const struct big *restrict s, size_t n) {
  for (size_t i = 0; i < n; i++) d[i] = s[i];
}
