/* A C program whose straight-line kernels touch every instruction class that
 * slpvec once miscompiled: compares with flags and mixed predicates, selects,
 * abs (both poison flags), bool arrays, globals reached directly and through
 * an alias, and vec3 (ext_vector_type(3)) arrays, whose elements are 16 bytes
 * apart. Its output must be identical under clang-22 -O3 and slpvec cc -O3.
 * semantics_fast.c (built with -ffast-math) is linked in. Each kernel is noinline so it stays one straight-line block to vectorize. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define K __attribute__((noinline))
typedef float float3 __attribute__((ext_vector_type(3)));

double g[8];
extern double g_alias[8] __attribute__((alias("g")));
static const double table[4] = {0.5, -1.25, 3.0, 7.5};

/* Lanes of one block, each with its own predicate: operands are masked to be
 * non-negative, so -O3 writes `icmp samesign`, the flag before the predicate. */
K void cmp_mixed(int *restrict out, const int *restrict a, const int *restrict b) {
  int a0 = a[0] & 0x7fff, a1 = a[1] & 0x7fff, a2 = a[2] & 0x7fff, a3 = a[3] & 0x7fff;
  int b0 = b[0] & 0x7fff, b1 = b[1] & 0x7fff, b2 = b[2] & 0x7fff, b3 = b[3] & 0x7fff;
  out[0] = a0 < b0; out[1] = a1 > b1; out[2] = a2 <= b2; out[3] = a3 >= b3;
}

K void fcmp_mixed(int *restrict out, const double *restrict a, const double *restrict b) {
  out[0] = a[0] < b[0]; out[1] = a[1] > b[1]; out[2] = a[2] <= b[2]; out[3] = a[3] != b[3];
}

K void selects(float *restrict out, const float *restrict a, const float *restrict b,
               const float *restrict c) {
  float c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];  /* loaded unconditionally: selects */
  out[0] = a[0] > b[0] ? a[0] : c0; out[1] = a[1] > b[1] ? a[1] : c1;
  out[2] = a[2] > b[2] ? a[2] : c2; out[3] = a[3] > b[3] ? a[3] : c3;
}

/* abs(x) is llvm.abs(x, i1 true); the branch-free form is llvm.abs(x, i1 false),
 * defined for INT_MIN. */
K void abs_mixed(int *restrict out, const int *restrict a) {
  out[0] = abs(a[0]);
  out[1] = (int)(((unsigned)a[1] ^ (unsigned)(a[1] >> 31)) - (unsigned)(a[1] >> 31));
  out[2] = abs(a[2]);
  out[3] = (int)(((unsigned)a[3] ^ (unsigned)(a[3] >> 31)) - (unsigned)(a[3] >> 31));
}

K void bools(_Bool *restrict out, const int *restrict a, const int *restrict b) {
  for (int i = 0; i < 8; i++) out[i] = a[i] > b[i];
}

K void bool_and(_Bool *restrict out, const _Bool *restrict p, const _Bool *restrict q) {
  out[0] = p[0] & q[0]; out[1] = p[1] | q[1]; out[2] = p[2] & q[2]; out[3] = p[3] | q[3];
}

/* g and g_alias are one object: the stores through one name must be seen by
 * the loads through the other. */
K void globals(double *restrict out, const double *restrict x) {
  g[0] = x[0] * table[0]; g[1] = x[1] * table[1];
  g[2] = x[2] * table[2]; g[3] = x[3] * table[3];
  out[0] = g_alias[1] + 1.0; out[1] = g_alias[0] + 2.0;
  g_alias[2] = out[0] * 3.0; g_alias[3] = out[1] * 4.0;
  out[2] = g[2] + g[3]; out[3] = g[0] - g[1];
}

K void vec3(float3 *restrict v, const float *restrict s) {
  v[0].z = s[0] * 2.0f; v[1].x = s[1] * 2.0f; v[1].y = s[2] * 2.0f; v[1].z = s[3] * 2.0f;
  v[2].x = v[0].x + v[1].z; v[2].y = v[0].y + v[1].y;
}

void fcmp_fast(int *restrict out, const float *restrict a, const float *restrict b);

static unsigned state = 12345u;
static int next_int(void) { state = state * 1103515245u + 12345u; return (int)(state >> 1); }

static unsigned long hash(const void *p, size_t n, unsigned long h) {
  const unsigned char *c = p;
  for (size_t i = 0; i < n; i++) h = h * 1099511628211ul ^ c[i];
  return h;
}

int main(void) {
  unsigned long h = 1469598103934665603ul;
  for (int round = 0; round < 200; round++) {
    int ia[8], ib[8], io[8];
    double da[4], db[4];
    float fa[4], fb[4], fc[4], fo[4], s[4];
    _Bool bo[8], bp[4], bq[4];
    for (int i = 0; i < 8; i++) {
      ia[i] = next_int() - (1 << 30); ib[i] = next_int() - (1 << 30);
    }
    if (round % 5 == 0) { ia[1] = -2147483647 - 1; ia[3] = -2147483647 - 1; }
    if (round % 3 == 0) memcpy(ib, ia, sizeof ia);
    for (int i = 0; i < 4; i++) {
      da[i] = (next_int() % 17) / 4.0; db[i] = (next_int() % 17) / 4.0;
      fa[i] = (next_int() % 13) - 6.0f; fb[i] = (next_int() % 13) - 6.0f;
      fc[i] = (next_int() % 101) / 8.0f; s[i] = (next_int() % 31) / 2.0f;
      bp[i] = next_int() & 1; bq[i] = next_int() & 1;
    }
    float3 v[3] = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
    memset(io, 0, sizeof io);
    cmp_mixed(io, ia, ib); h = hash(io, sizeof io, h);
    fcmp_mixed(io, da, db); h = hash(io, sizeof io, h);
    float f8a[8], f8b[8];
    for (int i = 0; i < 8; i++) { f8a[i] = (next_int() % 9) - 4.0f; f8b[i] = (next_int() % 9) - 4.0f; }
    fcmp_fast(io, f8a, f8b); h = hash(io, sizeof io, h);
    selects(fo, fa, fb, fc); h = hash(fo, sizeof fo, h);
    abs_mixed(io, ia); h = hash(io, sizeof io, h);
    bools(bo, ia, ib); h = hash(bo, sizeof bo, h);
    bool_and(bo, bp, bq); h = hash(bo, 4, h);
    double out[4];
    globals(out, da); h = hash(out, sizeof out, h); h = hash(g, sizeof g, h);
    vec3(v, s);
    for (int i = 0; i < 3; i++) { float t[3] = {v[i].x, v[i].y, v[i].z}; h = hash(t, sizeof t, h); }
    if (round < 2)
      printf("round %d: io %d %d %d %d %d %d g %.4f %.4f v %.2f %.2f\n", round,
             io[0], io[1], io[2], io[3], io[1], io[3], g[2], g[3], v[2].x, v[2].y);
  }
  printf("hash %016lx\n", h);
  return 0;
}
