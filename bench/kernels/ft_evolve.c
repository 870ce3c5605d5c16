/* Models NPB FT's evolve (auxfnct.c): every complex point of the 3-D field is
 * scaled by a real twiddle factor and the result copied to a second field. */
#define NZ 16
#define NY 32
#define NX 32

typedef struct { double re, im; } cplx;

static cplx u0[NZ][NY][NX + 1], u1[NZ][NY][NX + 1], copy[NZ][NY][NX + 1];
static double twiddle[NZ][NY][NX + 1];

void kernel_init(void) {
  for (int k = 0; k < NZ; k++)
    for (int j = 0; j < NY; j++)
      for (int i = 0; i <= NX; i++) {
        u0[k][j][i].re = (i + j) % 7 * 0.5;
        u0[k][j][i].im = (j + k) % 5 * 0.25;
        twiddle[k][j][i] = 1.0 / (1 + i + j + k);
      }
}

void kernel_run(void) {
  for (int k = 0; k < NZ; k++)
    for (int j = 0; j < NY; j++)
      for (int i = 0; i < NX; i++) {
        u1[k][j][i].re = u0[k][j][i].re * twiddle[k][j][i];
        u1[k][j][i].im = u0[k][j][i].im * twiddle[k][j][i];
        copy[k][j][i] = u1[k][j][i];
      }
}

double kernel_checksum(void) {
  double s = 0;
  for (int k = 0; k < NZ; k++)
    for (int j = 0; j < NY; j++)
      for (int i = 0; i < NX; i++)
        s += copy[k][j][i].re + 2 * copy[k][j][i].im;
  return s;
}
