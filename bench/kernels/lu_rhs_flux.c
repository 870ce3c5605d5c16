/* Models NPB LU's rhs, xi-direction inviscid part (rhs.c): the five flux
 * components of every point along a line are computed from the conserved
 * variables, then each point's residual gets the central difference of its
 * neighbours' fluxes. */
#define NZ 10
#define NY 10
#define NX 34

static double u[NZ][NY][NX][5], rsd[NZ][NY][NX][5], flux[NX][5];
static const double C1 = 1.4, C2 = 0.4, tx2 = 0.5 * 33.0;

void kernel_init(void) {
  for (int k = 0; k < NZ; k++)
    for (int j = 0; j < NY; j++)
      for (int i = 0; i < NX; i++) {
        u[k][j][i][0] = 1.0 + 0.01 * (i + j + k);
        for (int m = 1; m < 5; m++)
          u[k][j][i][m] = 0.1 * ((i * m + j + k) % 7);
      }
}

void kernel_run(void) {
  for (int k = 1; k < NZ - 1; k++)
    for (int j = 1; j < NY - 1; j++) {
      for (int i = 0; i < NX; i++) {
        double *q = u[k][j][i];
        double u21 = q[1] / q[0];
        double energy = 0.5 * (q[1] * q[1] + q[2] * q[2] + q[3] * q[3]) / q[0];
        flux[i][0] = q[1];
        flux[i][1] = q[1] * u21 + C2 * (q[4] - energy);
        flux[i][2] = q[2] * u21;
        flux[i][3] = q[3] * u21;
        flux[i][4] = (C1 * q[4] - C2 * energy) * u21;
      }
      for (int i = 1; i < NX - 1; i++)
        for (int m = 0; m < 5; m++)
          rsd[k][j][i][m] = -tx2 * (flux[i + 1][m] - flux[i - 1][m]);
    }
}

double kernel_checksum(void) {
  const double *flat = &rsd[0][0][0][0];
  double s = 0;
  for (long n = 0; n < (long)NZ * NY * NX * 5; n++)
    s += flat[n] * (n % 5 + 1);
  return s;
}
